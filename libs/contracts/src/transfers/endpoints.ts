import { endpoint } from '../common/endpoint';
import { CONFIG_ADMIN, rolesOnly } from '../permissions';
import * as s from './schemas';

const transfers = 'transfers' as const;
const operators = rolesOnly('RootAdmin', 'RootPowerUser');
const orgsInBody = ['sourceOrgId', 'targetOrgId'] as const;

export const TransferEndpoints = {
  ownership: endpoint({
    method: 'POST', path: '/transfer/ownership', service: transfers, pattern: 'transfers.ownership.transfer',
    access: CONFIG_ADMIN, summary: 'Passes the org (orgid header) to a new owner email; says what becomes of the previous owner.',
    body: s.OwnershipTransferBodySchema, response: s.OwnershipTransferResultSchema,
  }),
  changeEmail: endpoint({
    method: 'POST', path: '/transfer/change-email', service: transfers, pattern: 'transfers.email.change', access: operators,
    summary: "Changes the org's primary email without an ownership transfer.",
    body: s.ChangeEmailBodySchema, response: s.ChangeEmailResultSchema,
  }),
  assets: endpoint({
    method: 'POST', path: '/transfer/assets', service: transfers, pattern: 'transfers.job.create', access: operators,
    summary: 'Starts a job copying or moving the records of one datatype between orgs; answers at once with the job.',
    body: s.AssetsTransferBodySchema, response: s.TransferJobSchema, bodyOrgFields: orgsInBody, successStatus: 202,
  }),
  assetsBulk: endpoint({
    method: 'POST', path: '/transfer/assets-bulk', service: transfers, pattern: 'transfers.job.create-bulk', access: operators,
    summary: 'Starts one job copying or moving several datatypes, in the order given; answers at once with the job.',
    body: s.AssetsBulkTransferBodySchema, response: s.TransferJobSchema, bodyOrgFields: orgsInBody, successStatus: 202,
  }),
  list: endpoint({
    method: 'GET', path: '/transfer/jobs', service: transfers, pattern: 'transfers.job.list', access: operators,
    summary: 'Transfer jobs, newest first; `?status`, `?orgId` (source or target), `?limit&cursor`.',
    query: s.TransferJobListQuerySchema, response: s.TransferJobPageSchema,
  }),
  get: endpoint({
    method: 'GET', path: '/transfer/:id', service: transfers, pattern: 'transfers.job.get', access: operators,
    summary: 'A transfer job: status, per-datatype progress, counts, errors.',
    params: s.TransferJobParamsSchema, response: s.TransferJobSchema,
  }),
  cancel: endpoint({
    method: 'POST', path: '/transfer/:id/cancel', service: transfers, pattern: 'transfers.job.cancel', access: operators,
    summary: 'Stops a queued or running job after its current batch; what was transferred stays (roll back to undo).',
    params: s.TransferJobParamsSchema, response: s.TransferJobSchema,
  }),
  resume: endpoint({
    method: 'POST', path: '/transfer/:id/resume', service: transfers, pattern: 'transfers.job.resume', access: operators,
    summary: 'Continues a failed or cancelled job from its last committed cursor.',
    params: s.TransferJobParamsSchema, response: s.TransferJobSchema,
  }),
  rollback: endpoint({
    method: 'POST', path: '/transfer/:id/rollback', service: transfers, pattern: 'transfers.job.rollback', access: operators,
    summary: 'Undoes every committed batch of a failed, cancelled or completed job, newest first.',
    params: s.TransferJobParamsSchema, response: s.TransferJobSchema,
  }),
};
