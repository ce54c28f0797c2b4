import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import nodeVault from 'node-vault';
import { Counter } from 'prom-client';
import { MetricsService } from '@/modules/metrics/metrics.service';
import { vaultConfig } from '@/config/configs';
import { VaultErrorCode, VaultRequestError, VaultSecretNotFoundError, VaultUnavailableError } from './vault.errors';

const REQUEST_TIMEOUT_MS = 5000;
/** Renew when this fraction of the token's TTL has passed. */
const RENEW_AT = 0.66;

interface VaultResponseError extends Error {
  response?: { statusCode: number; body?: { errors?: string[] } };
  code?: string;
}

/**
 * The one adapter to Vault (OpenBao in tests): AppRole login, token renewal before expiry, a fresh login when
 * renewal fails or the token was revoked, and bounded requests whose failures become typed errors.
 */
@Injectable()
export class VaultClient implements OnModuleDestroy {
  private readonly logger = new Logger(VaultClient.name);
  private readonly vault: nodeVault.client;
  private login?: Promise<void>;
  private renewTimer?: NodeJS.Timeout;
  private tokenExpiresAt = 0;
  private readonly logins: Counter;
  private readonly renewals: Counter<'outcome'>;

  constructor(
    @Inject(vaultConfig.KEY) private readonly cfg: ConfigType<typeof vaultConfig>,
    metrics: MetricsService,
  ) {
    this.logins = new Counter({
      name: 'cv3_vault_logins_total',
      help: 'AppRole logins to Vault',
      registers: [metrics.registry],
    });
    this.renewals = new Counter({
      name: 'cv3_vault_token_renewals_total',
      help: 'Vault token renewals by outcome',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    this.vault = nodeVault({
      apiVersion: 'v1',
      endpoint: cfg.host,
      requestOptions: { timeout: REQUEST_TIMEOUT_MS },
    });
  }

  onModuleDestroy(): void {
    clearTimeout(this.renewTimer);
  }

  async read<T = Record<string, unknown>>(path: string): Promise<T> {
    return this.call('read', path, () => this.vault.read(path)) as Promise<T>;
  }

  async write<T = Record<string, unknown>>(path: string, data: unknown): Promise<T> {
    return this.call('write', path, () => this.vault.write(path, data)) as Promise<T>;
  }

  async delete(path: string): Promise<void> {
    await this.call('delete', path, () => this.vault.delete(path));
  }

  async list(path: string): Promise<string[]> {
    try {
      const res = (await this.call('list', path, () => this.vault.list(path))) as { data?: { keys?: string[] } };
      return res.data?.keys ?? [];
    } catch (err) {
      if (err instanceof VaultSecretNotFoundError) {
        return [];
      }
      throw err;
    }
  }

  /** Unauthenticated health probe: sealed, uninitialised or standby count as not ready. */
  async health(): Promise<{ initialized: boolean; sealed: boolean }> {
    const res = await fetch(`${this.cfg.host}/v1/sys/health`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = (await res.json()) as { initialized: boolean; sealed: boolean };
    return { initialized: body.initialized, sealed: body.sealed };
  }

  /** Seconds until the current token expires (0 when not logged in). */
  tokenTtl(): number {
    return Math.max(0, Math.round((this.tokenExpiresAt - Date.now()) / 1000));
  }

  private async call(op: string, path: string, fn: () => Promise<unknown>): Promise<unknown> {
    await this.ensureLogin();
    try {
      return await fn();
    } catch (err) {
      if (status(err) === 403) {
        // The token may have expired or been revoked between renewals: log in again once and retry.
        this.tokenExpiresAt = 0;
        await this.ensureLogin();
        try {
          return await fn();
        } catch (retryErr) {
          throw this.toError(op, path, retryErr);
        }
      }
      throw this.toError(op, path, err);
    }
  }

  private async ensureLogin(): Promise<void> {
    if (this.tokenExpiresAt - Date.now() > 1000) {
      return;
    }
    this.login ??= this.appRoleLogin().finally(() => {
      this.login = undefined;
    });
    return this.login;
  }

  private async appRoleLogin(): Promise<void> {
    if (!this.cfg.roleId || !this.cfg.secretId) {
      throw new VaultRequestError(VaultErrorCode.LoginFailed, 'VAULT_ROLE_ID and VAULT_SECRET_ID must be set');
    }
    let res: { auth: { client_token: string; lease_duration: number; renewable: boolean } };
    try {
      res = (await this.vault.approleLogin({ role_id: this.cfg.roleId, secret_id: this.cfg.secretId })) as typeof res;
    } catch (err) {
      throw this.toError('login', 'auth/approle/login', err);
    }
    this.vault.token = res.auth.client_token;
    this.logins.inc();
    this.setExpiry(res.auth.lease_duration);
    this.logger.log(`logged in to Vault with AppRole (token ttl ${res.auth.lease_duration}s)`);
    if (res.auth.renewable) {
      this.scheduleRenewal(res.auth.lease_duration);
    }
  }

  private setExpiry(ttlSeconds: number): void {
    this.tokenExpiresAt = ttlSeconds > 0 ? Date.now() + ttlSeconds * 1000 : Number.MAX_SAFE_INTEGER;
  }

  private scheduleRenewal(ttlSeconds: number): void {
    clearTimeout(this.renewTimer);
    if (ttlSeconds <= 0) {
      return;
    }
    this.renewTimer = setTimeout(() => void this.renew(), Math.max(500, ttlSeconds * 1000 * RENEW_AT));
    this.renewTimer.unref();
  }

  private async renew(): Promise<void> {
    try {
      const res = (await this.vault.tokenRenewSelf()) as { auth: { lease_duration: number } };
      const ttl = res.auth.lease_duration;
      // At the max TTL Vault renews for less than asked; when too little is left, log in afresh instead.
      if (ttl < 2) {
        throw new Error('token at its maximum TTL');
      }
      this.setExpiry(ttl);
      this.scheduleRenewal(ttl);
      this.renewals.inc({ outcome: 'renewed' });
    } catch (err) {
      this.renewals.inc({ outcome: 'failed' });
      this.logger.warn(`Vault token renewal failed (${(err as Error).message}); logging in again`);
      this.tokenExpiresAt = 0;
      try {
        await this.ensureLogin();
      } catch (loginErr) {
        this.logger.error({ err: loginErr }, 'Vault login failed; will retry on the next request');
      }
    }
  }

  private toError(op: string, path: string, err: unknown) {
    const code = status(err);
    const where = `${op} ${path}`;
    if (code === undefined || code === 502 || code === 503 || code === 504) {
      const sealed = code === 503 ? ' (sealed or in standby)' : '';
      return new VaultUnavailableError(VaultErrorCode.Unavailable, `Vault is unavailable${sealed}`, undefined, {
        cause: err,
      });
    }
    if (code === 404) {
      return new VaultSecretNotFoundError(VaultErrorCode.SecretNotFound, `Vault has nothing at ${path}`);
    }
    if (code === 403 || code === 400) {
      const kind = op === 'login' ? VaultErrorCode.LoginFailed : VaultErrorCode.PermissionDenied;
      return new VaultRequestError(kind, `Vault refused ${where} (${code})`);
    }
    return new VaultRequestError(VaultErrorCode.RequestFailed, `Vault request ${where} failed (${code})`);
  }
}

function status(err: unknown): number | undefined {
  return (err as VaultResponseError)?.response?.statusCode;
}
