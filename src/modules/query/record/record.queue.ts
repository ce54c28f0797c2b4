export const RECORD_QUERY_QUEUE = 'record-query';

export enum RecordJob {
  /** Sends one query to every responder; jobId = queryId, so a query is queued once. */
  Run = 'run',
  /** Repeatable: marks lost queries as timed out and deletes queries past the retention period. */
  Cleanup = 'cleanup',
}

/** Ids only (`run`; `cleanup` has none): the processor re-reads the stored query, which may have ended or gone. */
export interface RecordJobData {
  queryId?: string;
}

/** The job scheduler that adds a cleanup job every hour (one per Redis, whichever process upserts it). */
export const CLEANUP_SCHEDULER_ID = 'record-query-cleanup';
export const CLEANUP_EVERY_MS = 3600_000;

/** Record queries run at once per process (they mostly wait on databases and, later, other nodes). */
export const RECORD_QUERY_CONCURRENCY = 4;
