import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult, MongooseHealthIndicator } from '@nestjs/terminus';
import { ErrorResponseDto } from '@/common/openapi/error-response.dto';
import { ServiceUnavailableError } from '@/common/errors/app-error';
import { Public } from '@/common/auth/public.decorator';
import {
  CHECK_TIMEOUT_MS,
  KeycloakHealthIndicator,
  Neo4jHealthIndicator,
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
    private readonly neo4j: Neo4jHealthIndicator,
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
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness' })
  @ApiOkResponse({
    description:
      'Every dependency is up: `{status: "ok", info: {mongodb, redis, vault, keycloak, neo4j?}}` (neo4j in Neo4j mode)',
  })
  @ApiServiceUnavailableResponse({
    description: 'Not ready: `details` holds every dependency with its status and, when down, why',
    type: ErrorResponseDto,
  })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.mongo.pingCheck('mongodb', { timeout: CHECK_TIMEOUT_MS }),
        () => this.redis.check(),
        () => this.vault.check(),
        () => this.keycloak.check(),
        ...(this.neo4j.enabled ? [() => this.neo4j.check()] : []),
      ]);
    } catch (err) {
      if (err instanceof ServiceUnavailableException) {
        // Same error shape as every other route; the message names what is down.
        const result = err.getResponse() as HealthCheckResult;
        const down = Object.keys(result.error ?? {});
        throw new ServiceUnavailableError('NOT_READY', `Not ready: ${down.join(', ')} down`, result.details);
      }
      throw err;
    }
  }
}
