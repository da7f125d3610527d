import { AppError } from '@org-mgmt/contracts';
import { isUniqueViolation } from '@org-mgmt/runtime';

export function nameTaken(): AppError {
  return new AppError('CONFLICT', 'Another organisation already uses this company name', {
    fields: [{ path: 'body.companyName', message: 'already taken' }],
  });
}

/** Two writers racing for one name: the unique index decides, the loser gets the same 409. */
export async function nameConflictsAsAppErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw isUniqueViolation(err) ? nameTaken() : err;
  }
}
