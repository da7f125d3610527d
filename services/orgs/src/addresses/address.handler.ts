import { Controller } from '@nestjs/common';
import { OrgsEndpoints } from '@org-mgmt/contracts';
import { requireOrgId, Rpc, RpcContext } from '@org-mgmt/runtime';
import { AddressService } from './address.service';

@Controller()
export class AddressHandler {
  constructor(private readonly addresses: AddressService) {}

  @Rpc(OrgsEndpoints.addressesList)
  list(ctx: RpcContext<typeof OrgsEndpoints.addressesList>) {
    return this.addresses.list(requireOrgId(ctx), ctx.query);
  }

  @Rpc(OrgsEndpoints.addressesCreate)
  create(ctx: RpcContext<typeof OrgsEndpoints.addressesCreate>) {
    return this.addresses.create(requireOrgId(ctx), ctx.body);
  }
}
