import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { MetricsService } from '@/modules/metrics/metrics.service';
import { VaultClient } from '@/modules/vault/vault.client';
import { VaultService } from '@/modules/vault/vault.service';
import { createTestApp } from './setup/app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The stack's `cv3-backend-short` AppRole issues tokens with a 5 s TTL and a 10 s maximum: the client must renew
 * before expiry and log in again once renewal can no longer extend the token.
 */
describe('Vault token renewal and re-login (short TTL role)', () => {
  let app: INestApplication;
  const saved = { role: process.env.VAULT_ROLE_ID, secret: process.env.VAULT_SECRET_ID };

  beforeAll(async () => {
    process.env.VAULT_ROLE_ID = process.env.CV3_VAULT_SHORT_ROLE_ID;
    process.env.VAULT_SECRET_ID = process.env.CV3_VAULT_SHORT_SECRET_ID;
    app = await createTestApp({ database: 'cv3_e2e_vault_renewal' });
  });

  afterAll(async () => {
    process.env.VAULT_ROLE_ID = saved.role;
    process.env.VAULT_SECRET_ID = saved.secret;
    await app?.close();
  });

  it('should keep working past the token maximum TTL', async () => {
    expect(process.env.CV3_VAULT_SHORT_ROLE_ID).toBeTruthy();
    const vault = app.get(VaultService);
    const client = app.get(VaultClient);
    const metrics = app.get(MetricsService);
    const count = async (name: string, outcome?: string) => {
      const metric = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
      return metric.filter((v) => !outcome || v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0);
    };
    await vault.kvWrite('e2e/renewal', { n: 0 });
    const ttls: number[] = [];
    // 14 s: past the 5 s TTL (renewals) and the 10 s maximum (a fresh login).
    for (let i = 1; i <= 14; i++) {
      await sleep(1000);
      await vault.kvWrite('e2e/renewal', { n: i });
      expect(await vault.kvRead('e2e/renewal')).toEqual({ n: i });
      ttls.push(client.tokenTtl());
    }
    // Every remaining TTL stayed positive: the token was renewed or replaced before it ran out …
    expect(ttls.every((t) => t > 0)).toBe(true);
    // … by renewing it before expiry, and by logging in again once it hit its maximum TTL.
    expect(await count('cv3_vault_token_renewals_total', 'renewed')).toBeGreaterThanOrEqual(1);
    expect(await count('cv3_vault_logins_total')).toBeGreaterThanOrEqual(2);
    await vault.kvDelete('e2e/renewal');
  }, 30_000);
});

describe('Vault unavailable', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp({
      database: 'cv3_e2e_vault_down',
      patch: (cfg) => {
        // Nothing listens on port 9: connection refused, as when Vault is down.
        cfg.Vault.Host = 'http://127.0.0.1:9';
      },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('should turn a Vault call into a 503 error promptly', async () => {
    await expect(app.get(VaultService).kvRead('keycloak')).rejects.toMatchObject({
      httpStatus: 503,
      code: 'VAULT_UNAVAILABLE',
    });
  });

  it('should report vault down in readiness', async () => {
    const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(res.body.details.vault.status).toBe('down');
  });
});
