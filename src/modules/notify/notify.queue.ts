export const NOTIFY_QUEUE = 'notify';

export enum NotifyJob {
  SendMail = 'send-mail',
}

/** Job payload: the message itself (addresses, subject, text); mails carry no patient data. */
export interface SendMailJobData {
  to: string[];
  subject: string;
  text: string;
  html?: string;
}
