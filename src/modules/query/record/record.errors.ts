import { AppError } from '@/common/errors/app-error';

export enum RecordErrorCode {
  /** No such query, or one the caller may not read (the two are not told apart). */
  NotFound = 'RECORD_QUERY_NOT_FOUND',
  /** The job queue (Redis) did not take the query. */
  QueueUnavailable = 'RECORD_QUEUE_UNAVAILABLE',
}

export class RecordQueryNotFoundError extends AppError {
  readonly httpStatus = 404;
  constructor(queryId: string) {
    super(RecordErrorCode.NotFound, `No record query ${queryId}`);
  }
}
