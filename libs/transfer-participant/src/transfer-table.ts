import { TransferDatatype, TransferMode } from '@org-mgmt/contracts';
import { Knex } from '@org-mgmt/runtime';

export type Row = Record<string, unknown>;

/** A column holding the id of another record (of this or another datatype) of the same org. */
export interface TransferReference {
  column: string;
  datatype: TransferDatatype;
  /**
   * When the transfer does not carry `datatype`: keep the id as it is (default), or clear it
   * (the target org cannot reach the source's record).
   */
  outside?: 'keep' | 'clear';
}

export interface TargetContext {
  trx: Knex.Transaction;
  sourceOrgId: string;
  targetOrgId: string;
  mode: TransferMode;
}

/** How one datatype is stored: enough for the library to copy, move and roll back its records. */
export interface TransferTable {
  datatype: TransferDatatype;
  table: string;
  /** Text primary key holding prefixed ids (`adr_…`); default `id`. */
  idColumn?: string;
  /** The owning org; default `org_id`. */
  orgColumn?: string;
  /** A unique, increasing column (a bigserial): batches follow it and cursors name it. */
  orderColumn: string;
  /** Columns the database fills on insert (the bigserial): left out of copies. */
  generatedColumns?: readonly string[];
  references?: readonly TransferReference[];
  /** Columns every transferred record gets in the target org (e.g. the target's owner). */
  targetValues?(ctx: TargetContext): Promise<Row>;
}

export interface ResolvedTable extends Required<Omit<TransferTable, 'targetValues'>> {
  targetValues?: TransferTable['targetValues'];
}

export function resolveTable(table: TransferTable): ResolvedTable {
  return { idColumn: 'id', orgColumn: 'org_id', generatedColumns: [], references: [], ...table };
}
