import { endpoint } from '../common/endpoint';
import { CONFIG_ADMIN, rolesOnly } from '../permissions';

const transfers = 'transfers' as const;
const operators = rolesOnly('RootAdmin', 'RootPowerUser');

export const TransferEndpoints = {
  ownership: endpoint({
    method: 'POST', path: '/transfer/ownership', service: transfers, pattern: 'transfers.ownership.transfer',
    access: CONFIG_ADMIN, summary: 'Passes the org to a new owner email.', planned: true,
  }),
  changeEmail: endpoint({
    method: 'POST', path: '/transfer/change-email', service: transfers, pattern: 'transfers.email.change', access: operators,
    summary: "Changes the org's primary email.", planned: true,
  }),
  assets: endpoint({
    method: 'POST', path: '/transfer/assets', service: transfers, pattern: 'transfers.job.create', access: operators,
    summary: 'Copies or moves the records of one datatype between orgs.', planned: true,
  }),
  assetsBulk: endpoint({
    method: 'POST', path: '/transfer/assets-bulk', service: transfers, pattern: 'transfers.job.create-bulk', access: operators,
    summary: 'Copies or moves several datatypes in one job.', planned: true,
  }),
  list: endpoint({
    method: 'GET', path: '/transfer/jobs', service: transfers, pattern: 'transfers.job.list', access: operators,
    summary: 'Transfer jobs, newest first.', planned: true,
  }),
  get: endpoint({
    method: 'GET', path: '/transfer/:id', service: transfers, pattern: 'transfers.job.get', access: operators,
    summary: 'A transfer job: status, per-datatype progress, counts, errors.', planned: true,
  }),
};
