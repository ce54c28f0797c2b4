import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { processorOptions } from '@/common/queue/queue.options';
import { MailInvalidError } from '../notify.errors';
import { NOTIFY_QUEUE, NotifyJob, type SendMailJobData } from '../notify.queue';
import { NotifyService } from '../notify.service';

@Processor(NOTIFY_QUEUE, processorOptions({ concurrency: 4 }))
export class MailProcessor extends WorkerHost {
  private readonly logger = new Logger(MailProcessor.name);

  constructor(private readonly notify: NotifyService) {
    super();
  }

  async process(job: Job<SendMailJobData>): Promise<{ messageId: string }> {
    switch (job.name as NotifyJob) {
      case NotifyJob.SendMail:
        try {
          return { messageId: await this.notify.deliver(job.data) };
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
}
