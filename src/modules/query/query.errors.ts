import { AppError } from '@/common/errors/app-error';

export enum QueryErrorCode {
  /** The QueryBuilder breaks a rule (type, range, unknown key, unsupported feature). */
  Invalid = 'QUERY_INVALID',
}

/** A QueryBuilder refused by `parseQueryBuilder`; the message starts with the field path, `details.field` names it. */
export class QueryInvalidError extends AppError {
  readonly httpStatus = 400;
  constructor(field: string, message: string) {
    super(QueryErrorCode.Invalid, `${field}: ${message}`, { field });
  }
}
