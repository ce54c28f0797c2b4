import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, MongooseHealthIndicator } from '@nestjs/terminus';
import { Public } from '@/common/auth/public.decorator';
import {
  CHECK_TIMEOUT_MS,
  KeycloakHealthIndicator,
  RedisHealthIndicator,
  VaultHealthIndicator,
} from './health.indicators';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongo: MongooseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly vault: VaultHealthIndicator,
    private readonly keycloak: KeycloakHealthIndicator,
  ) {}

  /** The process is up and serving (no dependency is checked). */
  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness' })
  live() {
    return this.health.check([]);
  }

  /** Every dependency answers within its timeout; 503 names the ones that do not. */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness' })
  ready() {
    return this.health.check([
      () => this.mongo.pingCheck('mongodb', { timeout: CHECK_TIMEOUT_MS }),
      () => this.redis.check(),
      () => this.vault.check(),
      () => this.keycloak.check(),
    ]);
  }
}
