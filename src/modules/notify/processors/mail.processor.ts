import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { processorOptions } from '@/common/queue/queue.options';
import { NotifyMetrics } from '../notify.metrics';
import { MailInvalidError } from '../notify.errors';
import { NOTIFY_QUEUE, NotifyJob, type SendMailJobData } from '../notify.queue';
import { NotifyService } from '../notify.service';

@Processor(NOTIFY_QUEUE, processorOptions({ concurrency: 4 }))
export class MailProcessor extends WorkerHost {
  private readonly logger = new Logger(MailProcessor.name);

  constructor(
    private readonly notify: NotifyService,
    private readonly metrics: NotifyMetrics,
  ) {
    super();
  }

  async process(job: Job<SendMailJobData>): Promise<{ messageId: string }> {
    switch (job.name as NotifyJob) {
      case NotifyJob.SendMail:
        try {
          const messageId = await this.notify.deliver(job.data);
          this.metrics.sent.inc();
          return { messageId };
        } catch (err) {
          if (err instanceof MailInvalidError) {
            throw new UnrecoverableError(err.message);
          }
          this.logger.warn(
            { jobId: job.id, queue: NOTIFY_QUEUE, attempt: job.attemptsMade + 1, err: (err as Error).message },
            'mail delivery failed',
          );
          throw err;
        }
      default:
        throw new UnrecoverableError(`no handler for job ${job.name}`);
    }
  }

  /** BullMQ reports every failed attempt; only the last one (no retry left, or unrecoverable) counts. */
  @OnWorkerEvent('failed')
  onFailed(job: Job<SendMailJobData> | undefined, err: Error): void {
    if (!job || !isFinalFailure(job, err)) {
      return;
    }
    this.metrics.failed.inc();
    // Addresses help an operator follow up; the subject and body may carry personal data and stay out.
    this.logger.error(
      { jobId: job.id, queue: NOTIFY_QUEUE, attempts: job.attemptsMade, to: job.data?.to, err: err.message },
      'mail not delivered; giving up',
    );
  }
}

export function isFinalFailure(job: Pick<Job, 'attemptsMade' | 'opts'>, err: Error): boolean {
  return err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}
