import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { processorOptions } from '@/common/queue/queue.options';
import { RecordQueryService } from './record-query.service';
import { RECORD_QUERY_CONCURRENCY, RECORD_QUERY_QUEUE, RecordJob, type RecordJobData } from './record.queue';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Thin: validates the payload and hands the job to the service. */
@Processor(RECORD_QUERY_QUEUE, processorOptions({ concurrency: RECORD_QUERY_CONCURRENCY }))
export class RecordQueryProcessor extends WorkerHost {
  private readonly logger = new Logger(RecordQueryProcessor.name);

  constructor(private readonly records: RecordQueryService) {
    super();
  }

  /** A worker error (e.g. Redis lost a job's key) is logged, not left to the event emitter. */
  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.warn({ err: err.message }, 'record query worker error');
  }

  async process(job: Job<RecordJobData>): Promise<void> {
    switch (job.name as RecordJob) {
      case RecordJob.Run: {
        const { queryId } = job.data ?? {};
        if (typeof queryId !== 'string' || !UUID.test(queryId)) {
          throw new UnrecoverableError('malformed record query job payload');
        }
        await this.records.run(queryId, job.attemptsMade + 1, job.opts.attempts ?? 1);
        return;
      }
      case RecordJob.Cleanup:
        await this.records.cleanup();
        return;
      default:
        throw new UnrecoverableError(`no handler for job ${job.name}`);
    }
  }
}
