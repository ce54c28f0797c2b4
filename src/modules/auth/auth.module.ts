import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { SettingsModule } from '@/modules/settings/settings.module';
import { UsersModule } from '@/modules/users/users.module';
import { VaultModule } from '@/modules/vault/vault.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { KeycloakClient } from './keycloak.client';
import { KeycloakTokenVerifier } from './keycloak-token.verifier';

@Module({
  imports: [UsersModule, VaultModule, SettingsModule],
  controllers: [AuthController],
  providers: [KeycloakTokenVerifier, KeycloakClient, AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [KeycloakTokenVerifier],
})
export class AuthModule {}
