import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { processorOptions } from '@/common/queue/queue.options';
import { mongoConfig, queryConfig } from '@/config/configs';
import { RecordQueryService } from './record-query.service';
import { RECORD_QUERY_CONCURRENCY, RECORD_QUERY_QUEUE, RecordJob, type RecordJobData } from './record.queue';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Thin: validates the payload and hands the job to the service. */
@Processor(RECORD_QUERY_QUEUE, processorOptions({ concurrency: RECORD_QUERY_CONCURRENCY }))
export class RecordQueryProcessor extends WorkerHost {
  constructor(
    private readonly records: RecordQueryService,
    @Inject(mongoConfig.KEY) private readonly mongo: ConfigType<typeof mongoConfig>,
    @Inject(queryConfig.KEY) private readonly cfg: ConfigType<typeof queryConfig>,
  ) {
    super();
  }

  async process(job: Job<RecordJobData>, token?: string): Promise<void> {
    switch (job.name as RecordJob) {
      case RecordJob.Run: {
        const { queryId, db } = job.data ?? {};
        if (typeof queryId !== 'string' || !UUID.test(queryId)) {
          throw new UnrecoverableError('malformed record query job payload');
        }
        if (db !== undefined && db !== this.mongo.database) {
          // Another database's query: back to the queue (without using an attempt) until its own workers take it;
          // after the query's timeout it is over anyway.
          if (Date.now() - job.timestamp < this.cfg.timeoutSeconds * 1000) {
            await job.moveToDelayed(Date.now() + 200, token);
            throw new DelayedError();
          }
          return;
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
