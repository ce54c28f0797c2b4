import { Injectable, Logger } from '@nestjs/common';
import { VaultSecretNotFoundError } from '@/modules/vault/vault.errors';
import { VaultService } from '@/modules/vault/vault.service';
import { bearerSecret, checkTimestamp, sameSecret } from './maintenance.auth';
import { MaintenanceRepository, type MaintenanceState } from './maintenance.repository';
import {
  SettingsErrorCode,
  SharedSecretBadRequestError,
  SharedSecretForbiddenError,
  SharedSecretUnauthorizedError,
  SharedSecretUnavailableError,
} from './settings.errors';

/** Each process re-reads the state at most this often, so a change made elsewhere applies within it. */
export const MAINTENANCE_CACHE_MS = 2000;
/** A slow database must not stall every request: past this, the last known state stands. */
const READ_TIMEOUT_MS = 1000;
/** KV v2 path (under Vault.KV2Path/KV2Prefix) of the CVA shared secret, field `secret`. */
export const SHARED_SECRET_KV_PATH = 'shared-secret';
export const DEFAULT_MAINTENANCE_MESSAGE = 'The service is down for maintenance';

@Injectable()
export class MaintenanceService {
  private readonly logger = new Logger(MaintenanceService.name);
  private state: MaintenanceState = { maintenance: false, message: '' };
  private readAt = 0;
  private reading?: Promise<MaintenanceState>;
  /** Bumped by a local change, so a read that started before it does not overwrite it. */
  private generation = 0;

  constructor(
    private readonly repo: MaintenanceRepository,
    private readonly vault: VaultService,
  ) {}

  /** The current state, at most {@link MAINTENANCE_CACHE_MS} old. */
  async current(): Promise<MaintenanceState> {
    if (Date.now() - this.readAt < MAINTENANCE_CACHE_MS) {
      return this.state;
    }
    if (!this.reading) {
      const reading: Promise<MaintenanceState> = this.refresh().finally(() => {
        if (this.reading === reading) {
          this.reading = undefined;
        }
      });
      this.reading = reading;
    }
    return this.reading;
  }

  /**
   * Authenticates CVA: `Authorization: Bearer <shared secret>` against Vault KV `shared-secret` (constant time),
   * then an `X-Timestamp` within the window. The replay check comes last, in {@link apply}, so a refused request
   * never uses up its timestamp.
   * @returns the accepted timestamp.
   */
  async authenticate(
    authorization: string | undefined,
    timestampHeader: string | string[] | undefined,
  ): Promise<number> {
    const given = bearerSecret(authorization);
    if (given === undefined) {
      throw new SharedSecretUnauthorizedError(
        SettingsErrorCode.SharedSecretMissing,
        'Authorization: Bearer <shared secret> required',
      );
    }
    if (!sameSecret(given, await this.sharedSecret())) {
      throw new SharedSecretUnauthorizedError(SettingsErrorCode.SharedSecretInvalid, 'Invalid shared secret');
    }
    const check = checkTimestamp(timestampHeader, Math.floor(Date.now() / 1000));
    if (check.ok) {
      return check.timestamp;
    }
    if (check.reason === 'stale') {
      throw new SharedSecretForbiddenError(SettingsErrorCode.TimestampStale, check.message);
    }
    throw new SharedSecretBadRequestError(SettingsErrorCode.TimestampInvalid, check.message);
  }

  /** Sets the state for every process, refusing a timestamp not newer than the last accepted one. */
  async apply(timestamp: number, maintenance: boolean, message?: string): Promise<void> {
    const state = { maintenance, message: maintenance ? (message ?? '') : '' };
    if (!(await this.repo.setIfNewer(timestamp, state))) {
      throw new SharedSecretForbiddenError(
        SettingsErrorCode.TimestampReplayed,
        'X-Timestamp must be newer than the last accepted one (replayed request?)',
      );
    }
    this.generation += 1;
    this.state = state;
    this.readAt = Date.now();
    this.logger.log(`maintenance mode turned ${maintenance ? 'on' : 'off'}`);
  }

  private async refresh(): Promise<MaintenanceState> {
    const generation = this.generation;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('maintenance state read timed out')), READ_TIMEOUT_MS);
      });
      const state = await Promise.race([this.repo.find(READ_TIMEOUT_MS), timeout]);
      if (generation === this.generation) {
        this.state = state;
      }
    } catch (err) {
      // Fail open on the last known state: the database being down is for readiness to report, not this check.
      this.logger.warn({ err }, 'could not read the maintenance state; keeping the last known one');
    } finally {
      clearTimeout(timer);
    }
    if (generation === this.generation) {
      this.readAt = Date.now();
    }
    return this.state;
  }

  private async sharedSecret(): Promise<string> {
    let data: { secret?: unknown };
    try {
      data = await this.vault.kvRead<{ secret?: unknown }>(SHARED_SECRET_KV_PATH);
    } catch (err) {
      if (err instanceof VaultSecretNotFoundError) {
        throw new SharedSecretUnavailableError('No shared secret is stored in Vault', { cause: err });
      }
      // VaultUnavailableError and VaultRequestError are 503 already.
      throw err;
    }
    if (typeof data.secret !== 'string' || data.secret.length === 0) {
      throw new SharedSecretUnavailableError('The shared secret in Vault is empty or malformed');
    }
    return data.secret;
  }
}
