import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { VaultModule } from '@/modules/vault/vault.module';
import { HealthController } from './health.controller';
import { KeycloakHealthIndicator, RedisHealthIndicator, VaultHealthIndicator } from './health.indicators';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), VaultModule],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, VaultHealthIndicator, KeycloakHealthIndicator],
})
export class HealthModule {}
