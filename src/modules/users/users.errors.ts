import { AppError } from '@/common/errors/app-error';

export class UserConflictError extends AppError {
  readonly httpStatus = 409;
}
