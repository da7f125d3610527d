import { AppError } from '@org-mgmt/contracts';

/** The one NOT_FOUND every orgs use case answers for an organisation that does not exist. */
export function orgNotFound(orgId: string): AppError {
  return new AppError('NOT_FOUND', `Organisation ${orgId} not found`);
}
