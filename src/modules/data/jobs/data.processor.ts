import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { processorOptions } from '@/common/queue/queue.options';
import { DATA_QUEUE, DataJob, type DataJobData } from './data.queue';
import { DataJobsService } from './data-jobs.service';

/** Thin: validates the payload and hands the job to the service. */
@Processor(DATA_QUEUE, processorOptions({ concurrency: 2 }))
export class DataProcessor extends WorkerHost {
  constructor(private readonly jobs: DataJobsService) {
    super();
  }

  async process(job: Job<DataJobData>): Promise<void> {
    const { sourceId, dataFileId, pipelineId, jobId } = job.data ?? ({} as DataJobData);
    if (![sourceId, dataFileId, pipelineId, jobId].every((v) => typeof v === 'string' && v.length > 0)) {
      throw new UnrecoverableError('malformed data job payload');
    }
    switch (job.name as DataJob) {
      case DataJob.Ingest:
      case DataJob.Remap:
        await this.jobs.run(job.name as DataJob, job.data, job.attemptsMade + 1, job.opts.attempts ?? 1);
        return;
      default:
        throw new UnrecoverableError(`no handler for job ${job.name}`);
    }
  }
}
