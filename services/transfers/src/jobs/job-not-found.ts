import { AppError } from '@org-mgmt/contracts';

export function jobNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `Transfer ${id} not found`);
}
