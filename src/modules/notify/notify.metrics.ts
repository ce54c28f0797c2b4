import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '@/modules/metrics/metrics.service';

/** Mail outcomes; a mail counts as failed once its last attempt failed (or it can never be sent). */
@Injectable()
export class NotifyMetrics {
  readonly sent: Counter;
  readonly failed: Counter;

  constructor(metrics: MetricsService) {
    this.sent = new Counter({
      name: 'cv3_mail_sent_total',
      help: 'Mails accepted by the SMTP server',
      registers: [metrics.registry],
    });
    this.failed = new Counter({
      name: 'cv3_mail_failed_total',
      help: 'Mails given up on after their last attempt',
      registers: [metrics.registry],
    });
  }
}
