export const DATA_QUEUE = 'data';

export enum DataJob {
  Ingest = 'ingest',
  Remap = 'remap',
}

/** Ids only: the processor re-reads the source, file and pipeline (they may have changed or gone). */
export interface DataJobData {
  sourceId: string;
  dataFileId: string;
  pipelineId: string;
  /** Also the data file's `job.jobId`: a job whose id no longer matches was superseded or cancelled. */
  jobId: string;
}
