import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createTransport, type Transporter } from 'nodemailer';
import { emailConfig } from '@/config/configs';

export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

/** The one adapter to the SMTP server, with bounded connection, greeting and socket times. */
@Injectable()
export class MailerClient implements OnModuleDestroy {
  private readonly transport: Transporter;

  constructor(@Inject(emailConfig.KEY) private readonly cfg: ConfigType<typeof emailConfig>) {
    this.transport = createTransport({
      host: cfg.smtp.host,
      port: cfg.smtp.port,
      secure: cfg.smtp.port === 465,
      auth: cfg.smtp.auth,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  /** Sends one message and returns the SMTP server's message ID. */
  async send(mail: OutgoingMail): Promise<string> {
    const info = (await this.transport.sendMail({
      from: { name: this.cfg.from.name, address: this.cfg.from.address },
      sender: this.cfg.sender,
      to: mail.to,
      // Bounces go to the configured Sender, not to the From address people reply to.
      envelope: { from: this.cfg.sender, to: mail.to },
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
    })) as { messageId: string };
    return info.messageId;
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
