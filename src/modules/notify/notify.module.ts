import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { SettingsModule } from '@/modules/settings/settings.module';
import { MailerClient } from './mailer.client';
import { NotifyMetrics } from './notify.metrics';
import { NOTIFY_QUEUE } from './notify.queue';
import { NotifyService } from './notify.service';
import { MailProcessor } from './processors/mail.processor';

@Module({
  imports: [BullModule.registerQueue({ name: NOTIFY_QUEUE }), SettingsModule],
  providers: [MailerClient, NotifyService, NotifyMetrics, MailProcessor],
  exports: [NotifyService],
})
export class NotifyModule {}
