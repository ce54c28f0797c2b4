import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { VaultModule } from '@/modules/vault/vault.module';
import { HealthController } from './health.controller';
import {
  KeycloakHealthIndicator,
  Neo4jHealthIndicator,
  RedisHealthIndicator,
  VaultHealthIndicator,
} from './health.indicators';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), VaultModule],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, VaultHealthIndicator, KeycloakHealthIndicator, Neo4jHealthIndicator],
})
export class HealthModule {}
