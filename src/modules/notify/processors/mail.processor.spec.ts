import { type Job, UnrecoverableError } from 'bullmq';
import { Registry } from 'prom-client';
import type { MetricsService } from '@/modules/metrics/metrics.service';
import { NotifyMetrics } from '../notify.metrics';
import { NotifyJob, type SendMailJobData } from '../notify.queue';
import type { NotifyService } from '../notify.service';
import { isFinalFailure, MailProcessor } from './mail.processor';

function job(attemptsMade: number, attempts = 3): Job<SendMailJobData> {
  return {
    id: 'j1',
    name: NotifyJob.SendMail,
    attemptsMade,
    opts: { attempts },
    data: { to: ['a@example.org'], subject: 's', text: 't' },
  } as unknown as Job<SendMailJobData>;
}

describe(MailProcessor.name, () => {
  let registry: Registry;
  let metrics: NotifyMetrics;
  let deliver: jest.Mock;
  let processor: MailProcessor;

  beforeEach(() => {
    registry = new Registry();
    metrics = new NotifyMetrics({ registry } as unknown as MetricsService);
    deliver = jest.fn();
    processor = new MailProcessor({ deliver } as unknown as NotifyService, metrics);
  });

  const value = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;

  it('should count a delivered mail as sent', async () => {
    deliver.mockResolvedValue('<id@x>');
    await expect(processor.process(job(0))).resolves.toEqual({ messageId: '<id@x>' });
    expect(await value('cv3_mail_sent_total')).toBe(1);
  });

  it('should count a failure only after the last attempt', async () => {
    processor.onFailed(job(1), new Error('421 try later'));
    expect(await value('cv3_mail_failed_total')).toBe(0);
    processor.onFailed(job(3), new Error('421 try later'));
    expect(await value('cv3_mail_failed_total')).toBe(1);
  });

  it('should count an unrecoverable failure at once', async () => {
    processor.onFailed(job(1), new UnrecoverableError('bad recipient'));
    expect(await value('cv3_mail_failed_total')).toBe(1);
  });

  it('should tell final failures from retried ones', () => {
    expect(isFinalFailure(job(1), new Error('x'))).toBe(false);
    expect(isFinalFailure(job(3), new Error('x'))).toBe(true);
    expect(isFinalFailure(job(1, 1), new Error('x'))).toBe(true);
  });
});
