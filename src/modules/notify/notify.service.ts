import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Job, Queue } from 'bullmq';
import { createHash } from 'node:crypto';
import { loggingConfig } from '@/config/configs';
import { SettingsService } from '@/modules/settings/settings.service';
import { MailerClient } from './mailer.client';
import { MailInvalidError } from './notify.errors';
import { NOTIFY_QUEUE, NotifyJob, type SendMailJobData } from './notify.queue';

const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** Mail for access requests, new users, keys, Nexus credentials and critical issues, sent through a queue. */
@Injectable()
export class NotifyService {
  private readonly logger = new Logger(NotifyService.name);

  constructor(
    @InjectQueue(NOTIFY_QUEUE) private readonly queue: Queue<SendMailJobData>,
    private readonly mailer: MailerClient,
    private readonly settings: SettingsService,
    @Inject(loggingConfig.KEY) private readonly logging: ConfigType<typeof loggingConfig>,
  ) {}

  /** The name mails sign with: the system settings' `instanceSettings.name` (the settings fill it at first start). */
  async installationName(): Promise<string> {
    try {
      const name = (await this.settings.getSystemConfig()).instanceSettings.name.trim();
      if (name !== '') {
        return name;
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not read the installation name; using Logging.Name');
    }
    return this.logging.name;
  }

  /**
   * Queues a mail. `dedupKey` makes the job ID deterministic, so the same notification asked twice
   * (e.g. a retried HTTP request) is sent once.
   */
  async enqueueMail(mail: SendMailJobData, dedupKey?: string): Promise<Job<SendMailJobData>> {
    this.validate(mail);
    const jobId = dedupKey ? `mail-${createHash('sha256').update(dedupKey).digest('hex').slice(0, 32)}` : undefined;
    return this.queue.add(NotifyJob.SendMail, mail, { jobId });
  }

  /** Called by the processor. */
  async deliver(mail: SendMailJobData): Promise<string> {
    this.validate(mail);
    const id = await this.mailer.send(mail);
    this.logger.log(`mail delivered to ${mail.to.length} recipient(s)`);
    return id;
  }

  private validate(mail: SendMailJobData): void {
    if (!Array.isArray(mail.to) || mail.to.length === 0 || !mail.to.every((a) => ADDRESS.test(a))) {
      throw new MailInvalidError('MAIL_INVALID_RECIPIENT', 'Mail needs at least one valid recipient address');
    }
    if (typeof mail.subject !== 'string' || mail.subject.length === 0 || /[\r\n]/.test(mail.subject)) {
      throw new MailInvalidError('MAIL_INVALID_SUBJECT', 'Mail subject must be one non-empty line');
    }
  }
}
