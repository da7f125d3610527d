import { Inject, Injectable } from '@nestjs/common';
import { Address, AddressCreate } from '@org-mgmt/contracts';
import { DATABASE, Knex, pageBySeqDesc } from '@org-mgmt/runtime';

interface AddressRow {
  seq: number;
  id: string;
  org_id: string;
  customer_id: string;
  type: Address['type'];
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postal_code: string;
  country: string;
  is_default: boolean;
  created_at: number;
  updated_at: number;
}

export interface AddressPageRequest {
  limit: number;
  cursor?: string;
  type?: Address['type'];
}

@Injectable()
export class AddressRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  /** Newest first, keyset-paginated on the insertion sequence so concurrent inserts never shift a page. */
  page(orgId: string, request: AddressPageRequest): Promise<{ items: Address[]; nextCursor: string | null }> {
    const query = this.db('addresses').where({ org_id: orgId });
    if (request.type) query.where({ type: request.type });
    return pageBySeqDesc(query, request, toAddress);
  }

  /** The address the profile shows: the default billing address, else any default, else the newest. */
  async primary(orgId: string): Promise<Address | null> {
    const row: AddressRow | undefined = await this.db('addresses')
      .where({ org_id: orgId })
      .orderByRaw("is_default DESC, (type = 'billing') DESC, seq DESC")
      .first();
    return row ? toAddress(row) : null;
  }

  async insert(trx: Knex.Transaction, address: Address): Promise<void> {
    if (address.isDefault) {
      await trx('addresses')
        .where({ org_id: address.orgId, type: address.type, is_default: true })
        .update({ is_default: false });
    }
    await trx('addresses').insert({
      id: address.id,
      org_id: address.orgId,
      customer_id: address.customerId,
      type: address.type,
      line1: address.line1,
      line2: address.line2,
      city: address.city,
      region: address.region,
      postal_code: address.postalCode,
      country: address.country,
      is_default: address.isDefault,
      created_at: address.createdAt,
      updated_at: address.updatedAt,
    });
  }
}

export function newAddressFields(
  input: AddressCreate,
): Pick<Address, 'type' | 'line1' | 'line2' | 'city' | 'region' | 'postalCode' | 'country' | 'isDefault'> {
  return {
    type: input.type,
    line1: input.line1,
    line2: input.line2 ?? null,
    city: input.city,
    region: input.region ?? null,
    postalCode: input.postalCode,
    country: input.country,
    isDefault: input.isDefault,
  };
}

function toAddress(row: AddressRow): Address {
  return {
    id: row.id,
    orgId: row.org_id,
    customerId: row.customer_id,
    type: row.type,
    line1: row.line1,
    line2: row.line2,
    city: row.city,
    region: row.region,
    postalCode: row.postal_code,
    country: row.country,
    isDefault: row.is_default,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
