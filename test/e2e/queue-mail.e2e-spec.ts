import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { type Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { NOTIFY_QUEUE } from '@/modules/notify/notify.queue';
import { NotifyService } from '@/modules/notify/notify.service';
import { createTestApp } from './setup/app';
import { waitForMail } from './setup/stack';

describe('BullMQ on Redis, and mail to the SMTP server', () => {
  let app: INestApplication;
  let notify: NotifyService;
  let queue: Queue;
  let events: QueueEvents;

  beforeAll(async () => {
    app = await createTestApp({ database: 'cv3_e2e_queue' });
    notify = app.get(NotifyService);
    queue = app.get<Queue>(getQueueToken(NOTIFY_QUEUE));
    events = new QueueEvents(NOTIFY_QUEUE, { connection: await queue.client, prefix: queue.opts.prefix });
    await events.waitUntilReady();
  });

  afterAll(async () => {
    await events?.close();
    await app?.close();
  });

  it('should process a queued mail job through Redis and deliver it to the SMTP server', async () => {
    const tag = randomUUID();
    const job = await notify.enqueueMail({
      to: ['researcher@example.org'],
      subject: `Access request received ${tag}`,
      text: 'Your request has been received.',
    });
    // The job really went through Redis: it is stored under the queue's prefix.
    const redis = (await queue.client) as unknown as Redis;
    expect(await redis.exists(`${queue.opts.prefix}:${NOTIFY_QUEUE}:${job.id}`)).toBe(1);

    const result = (await job.waitUntilFinished(events, 15_000)) as { messageId: string };
    expect(result.messageId).toMatch(/^<.+>$/);

    const mail = await waitForMail((m) => m.raw.includes(tag));
    expect(mail.envelope.rcpt_tos).toEqual(['researcher@example.org']);
    expect(mail.envelope.mail_from).toBe('noreply@cafevariome.test');
    expect(mail.envelope.headers['message-id']).toBe(result.messageId);
    expect(mail.envelope.headers.from).toBe('Cafe Variome Admin <admin@cafevariome.test>');
    expect(mail.raw).toContain('Sender: noreply@cafevariome.test');
  });

  it('should send a mail once when the same notification is queued twice with one key', async () => {
    const tag = randomUUID();
    const mail = { to: ['admin@example.org'], subject: `New access request ${tag}`, text: 'Please review.' };
    const first = await notify.enqueueMail(mail, `access-request:${tag}`);
    const second = await notify.enqueueMail(mail, `access-request:${tag}`);
    expect(second.id).toBe(first.id);
    await first.waitUntilFinished(events, 15_000);
    await waitForMail((m) => m.raw.includes(tag));
  });

  it('should refuse a mail without a valid recipient before queueing it', async () => {
    const before = await queue.count();
    await expect(notify.enqueueMail({ to: ['not-an-address'], subject: 'x', text: 'y' })).rejects.toMatchObject({
      httpStatus: 400,
    });
    expect(await queue.count()).toBe(before);
  });
});
