import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { InstanceConfigError, loadInstanceConfig } from './config/instance-config.loader';

const USAGE = `usage: node dist/cli.js bootstrap

First start (as CV3's database manager): stores the Keycloak client secret and a maintenance shared secret in
Vault KV and makes the first developer. Reads the environment:
  KEYCLOAK_CLIENT_SECRET  the confidential client's secret; stored in Vault KV <prefix>/keycloak (optional when
                          it is already there)
  ADMIN_EMAIL             e-mail of the first developer: the realm user with this address (created in Keycloak,
                          with the set-password mail, when missing) becomes an active developer with a transit key
  ADMIN_AFFILIATION       their affiliation (optional)
plus INSTANCE_CONFIG_PATH, VAULT_ROLE_ID and VAULT_SECRET_ID as for the server. Safe to run again; remove the
variables afterwards.`;

async function bootstrap(): Promise<void> {
  // Imported late so a config error is reported before Nest starts.
  const { AppModule } = await import('./app.module');
  const { VaultService } = await import('./modules/vault/vault.service');
  const { UsersService } = await import('./modules/users/users.service');
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  try {
    const vault = app.get(VaultService);
    const secret = process.env.KEYCLOAK_CLIENT_SECRET;
    if (secret) {
      await vault.kvWrite('keycloak', { client_secret: secret });
      say('stored the Keycloak client secret in Vault KV');
    } else {
      await vault.kvRead('keycloak').catch(() => {
        throw new Error('no Keycloak client secret in Vault KV: set KEYCLOAK_CLIENT_SECRET');
      });
    }
    const shared = await vault.kvRead<{ secret?: string }>('shared-secret').catch(() => ({ secret: undefined }));
    if (!shared.secret) {
      await vault.kvWrite('shared-secret', { secret: randomBytes(32).toString('hex') });
      say('generated the maintenance shared secret in Vault KV');
    }
    const email = process.env.ADMIN_EMAIL;
    if (email) {
      const result = await app.get(UsersService).bootstrapDeveloper(email, process.env.ADMIN_AFFILIATION ?? '');
      const what = result.created.length > 0 ? `created ${result.created.join(', ')}` : 'already set up';
      say(`developer ${email} (${result.userId}): ${what}`);
    } else {
      say('ADMIN_EMAIL not set: no developer created');
    }
  } finally {
    await app.close();
  }
}

function say(line: string): void {
  process.stdout.write(`cv3 bootstrap: ${line}\n`);
}

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command !== 'bootstrap') {
    process.stderr.write(`${USAGE}\n`);
    process.exit(command === undefined || command === '--help' || command === 'help' ? 0 : 2);
  }
  process.env.CV3_PROCESSORS = 'off';
  try {
    loadInstanceConfig();
  } catch (err) {
    if (err instanceof InstanceConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  await bootstrap();
}

main().catch((err: unknown) => {
  process.stderr.write(`cv3 bootstrap failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
