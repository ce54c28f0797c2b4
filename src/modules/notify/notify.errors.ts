import { AppError } from '@/common/errors/app-error';

export class MailInvalidError extends AppError {
  readonly httpStatus = 400;
}
