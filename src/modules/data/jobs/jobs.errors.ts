import { AppError } from '@/common/errors/app-error';

export enum JobsErrorCode {
  SourceNotInternal = 'DATA_SOURCE_NOT_INTERNAL',
  PipelineMismatch = 'DATA_PIPELINE_MISMATCH',
  DataFileNotInSource = 'DATA_FILE_NOT_IN_SOURCE',
  NotIngested = 'DATA_FILE_NOT_INGESTED',
  JobInFlight = 'DATA_JOB_IN_FLIGHT',
  JobNotFound = 'DATA_JOB_NOT_FOUND',
  JobFinished = 'DATA_JOB_FINISHED',
  EavUnknown = 'DATA_EAV_UNKNOWN',
}

/** A request that names the wrong thing for the job (the message starts with the field). */
export class JobRequestError extends AppError {
  readonly httpStatus = 400;
}

export class JobConflictError extends AppError {
  readonly httpStatus = 409;
}

export class JobNotFoundError extends AppError {
  readonly httpStatus = 404;
}
