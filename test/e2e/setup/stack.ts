import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Settings of the running `bin/cv3-stack`, read from its environment. */
export const stack = {
  run: process.env.CV3_STACK_RUN as string,
  instanceConfigPath: join(process.env.CV3_STACK_RUN as string, 'instance_config.json'),
  keycloakUrl: process.env.CV3_KEYCLOAK_URL as string,
  realm: process.env.CV3_KEYCLOAK_REALM ?? 'cafe_variome',
  backendClient: process.env.CV3_KEYCLOAK_CLIENT ?? 'cv3-backend',
  testClient: process.env.CV3_TEST_CLIENT ?? 'cv3-test',
  testPassword: process.env.CV3_TEST_PASSWORD as string,
  vaultAddr: process.env.CV3_VAULT_ADDR ?? 'http://127.0.0.1:8200',
  vaultRootToken: process.env.CV3_VAULT_ROOT_TOKEN ?? 'root',
  smtpMailDir: process.env.CV3_SMTP_MAILDIR as string,
  mongoUrl: process.env.CV3_MONGO_URL ?? 'mongodb://127.0.0.1:27017',
};

export interface ReceivedMail {
  file: string;
  raw: string;
  envelope: { mail_from: string; rcpt_tos: string[]; auth_user: string | null; headers: Record<string, string> };
}

/** Every message the stack's SMTP sink has kept, oldest first. */
export function receivedMails(): ReceivedMail[] {
  if (!existsSync(stack.smtpMailDir)) {
    return [];
  }
  return readdirSync(stack.smtpMailDir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => {
      const file = join(stack.smtpMailDir, f);
      return {
        file,
        raw: readFileSync(file, 'utf8'),
        envelope: JSON.parse(readFileSync(file.replace(/\.eml$/, '.json'), 'utf8')) as ReceivedMail['envelope'],
      };
    });
}

/** Polls until a mail matching `pred` has arrived (the sink writes each message once it is complete). */
export async function waitForMail(pred: (m: ReceivedMail) => boolean, timeoutMs = 10_000): Promise<ReceivedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = receivedMails().find(pred);
    if (found) {
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error('no matching mail arrived at the SMTP sink');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
