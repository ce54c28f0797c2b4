import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { UsersModule } from '@/modules/users/users.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { KeycloakTokenVerifier } from './keycloak-token.verifier';

@Module({
  imports: [UsersModule],
  controllers: [AuthController],
  providers: [KeycloakTokenVerifier, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [KeycloakTokenVerifier],
})
export class AuthModule {}
