import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Cluster, Redis } from 'ioredis';
import { keycloakConfig, neo4jConfig, redisConfig } from '@/config/configs';
import { Neo4jClient } from '@/modules/similarity/neo4j/neo4j.client';
import { createRedisConnection } from '@/common/queue/redis.connection';
import { VaultService } from '@/modules/vault/vault.service';
import { withTimeout } from './with-timeout';

export const CHECK_TIMEOUT_MS = 3000;

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly client: Redis | Cluster;

  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(redisConfig.KEY) cfg: ConfigType<typeof redisConfig>,
  ) {
    // No offline queue: while Redis is down a ping fails at once instead of waiting for a reconnect.
    this.client = createRedisConnection(cfg, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: CHECK_TIMEOUT_MS,
      retryStrategy: () => 1000,
      lazyConnect: false,
    });
    this.client.on('error', () => undefined);
  }

  async check(key = 'redis') {
    const indicator = this.health.check(key);
    try {
      const pong = await withTimeout(this.client.ping(), CHECK_TIMEOUT_MS, 'redis');
      return pong === 'PONG' ? indicator.up() : indicator.down({ message: `unexpected reply ${String(pong)}` });
    } catch (err) {
      return indicator.down({ message: reason(err) });
    }
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}

@Injectable()
export class VaultHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly vault: VaultService,
  ) {}

  async check(key = 'vault') {
    const indicator = this.health.check(key);
    try {
      const ready = await withTimeout(this.vault.isReady(), CHECK_TIMEOUT_MS, 'vault');
      return ready ? indicator.up() : indicator.down({ message: 'sealed or not initialised' });
    } catch (err) {
      return indicator.down({ message: reason(err) });
    }
  }
}

@Injectable()
export class KeycloakHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(keycloakConfig.KEY) private readonly cfg: ConfigType<typeof keycloakConfig>,
  ) {}

  async check(key = 'keycloak') {
    const indicator = this.health.check(key);
    const url = `${this.cfg.backendUrl}/realms/${this.cfg.realm}/.well-known/openid-configuration`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
      await res.body?.cancel();
      return res.ok ? indicator.up() : indicator.down({ message: `realm discovery answered ${res.status}` });
    } catch (err) {
      return indicator.down({ message: reason(err) });
    }
  }
}

/** Checked only in Neo4j mode (`Neo4j.Enabled`): the graph answers `RETURN 1`. */
@Injectable()
export class Neo4jHealthIndicator implements OnModuleDestroy {
  private client?: Neo4jClient;

  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(neo4jConfig.KEY) private readonly cfg: ConfigType<typeof neo4jConfig>,
  ) {}

  get enabled(): boolean {
    return this.cfg.enabled;
  }

  async check(key = 'neo4j') {
    const indicator = this.health.check(key);
    this.client ??= new Neo4jClient(this.cfg, { connectTimeoutMs: CHECK_TIMEOUT_MS, retryMs: 0, poolSize: 1 });
    try {
      await withTimeout(this.client.read('RETURN 1 AS ok', {}, CHECK_TIMEOUT_MS), CHECK_TIMEOUT_MS, 'neo4j');
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: reason(err) });
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.client?.close();
  }
}
