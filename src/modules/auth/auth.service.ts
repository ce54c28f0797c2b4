import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keycloakConfig } from '@/config/configs';
import { AppError } from '@/common/errors/app-error';
import { SettingsService } from '@/modules/settings/settings.service';
import { UserConflictError } from '@/modules/users/users.errors';
import type { LocalUserResponseDto } from '@/modules/users/dto/users.dto';
import { toLocalUserResponse, UsersService } from '@/modules/users/users.service';
import type { AuthenticatedUser } from '@/common/auth/current-user.decorator';
import { VaultService } from '@/modules/vault/vault.service';
import { AuthErrorCode, ForbiddenError } from './auth.errors';
import { KeycloakClient, type KeycloakTokens } from './keycloak.client';
import { KeycloakTokenVerifier } from './keycloak-token.verifier';

class InvalidRedirectError extends AppError {
  readonly httpStatus = 400;
}

export type TokenGrant =
  | { grant_type: 'authorization_code'; code: string; redirect_uri?: string }
  | { grant_type: 'refresh_token'; refresh_token: string };

/**
 * CV3's login: exchange the code (or refresh token) at Keycloak with the confidential client, then admit only a
 * "local user": a valid token, a local row, active, and a Vault transit key named after the user.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly keycloak: KeycloakClient,
    private readonly verifier: KeycloakTokenVerifier,
    private readonly users: UsersService,
    private readonly vault: VaultService,
    private readonly settings: SettingsService,
    @Inject(keycloakConfig.KEY) private readonly cfg: ConfigType<typeof keycloakConfig>,
  ) {}

  async token(grant: TokenGrant): Promise<{ access_token: string; refresh_token: string }> {
    let tokens: KeycloakTokens;
    if (grant.grant_type === 'authorization_code') {
      tokens = await this.keycloak.exchangeCode(grant.code, this.redirectUri(grant.redirect_uri));
    } else {
      tokens = await this.keycloak.refresh(grant.refresh_token);
    }
    const identity = await this.verifier.verify(tokens.access_token);
    const local = await this.users.findByUserId(identity.userId);
    if (!local) {
      if (await this.autoRegister(identity)) {
        throw new ForbiddenError(
          AuthErrorCode.UserInactive,
          'User registered at this installation and awaiting activation by an administrator',
        );
      }
      throw new ForbiddenError(AuthErrorCode.UserNotRegistered, 'User is not registered at this installation');
    }
    if (!local.active) {
      throw new ForbiddenError(AuthErrorCode.UserInactive, 'User is not active at this installation');
    }
    if (!(await this.vault.transitKeyExists(identity.userId))) {
      throw new ForbiddenError(AuthErrorCode.LoginNotPermitted, 'User is not permitted to log in at this installation');
    }
    this.logger.log(`login (${grant.grant_type}) for user ${identity.userId}`);
    return { access_token: tokens.access_token, refresh_token: tokens.refresh_token };
  }

  /**
   * With `federationSettings.autoUserRegistration` on, a realm user without a local row gets a disabled one
   * (role user, no transit key), as CV3 does: an administrator then activates and permits them.
   */
  private async autoRegister(identity: AuthenticatedUser): Promise<boolean> {
    const { federationSettings, discoverySettings } = await this.settings.getSystemConfig();
    if (!federationSettings.autoUserRegistration) {
      return false;
    }
    try {
      await this.users.create({
        userId: identity.userId,
        email: identity.email ?? `${identity.userId}@users.invalid`,
        username: identity.username ?? identity.userId,
        firstName: identity.firstName || identity.username || 'Unknown',
        lastName: identity.lastName || 'Unknown',
        affiliation: '',
        role: 'user',
        active: false,
        allowLogin: false,
        budget: discoverySettings.defaultBudget,
      });
      this.logger.log(`auto-registered user ${identity.userId} (inactive)`);
    } catch (err) {
      // Registered meanwhile by a concurrent login: the outcome is the same.
      if (!(err instanceof UserConflictError)) {
        throw err;
      }
    }
    return true;
  }

  logout(refreshToken: string): Promise<void> {
    return this.keycloak.logout(refreshToken);
  }

  async userInfo(userId: string): Promise<LocalUserResponseDto> {
    const local = await this.users.findByUserId(userId);
    if (!local) {
      throw new ForbiddenError(AuthErrorCode.UserNotRegistered, 'User is not registered at this installation');
    }
    return toLocalUserResponse(local);
  }

  /** The redirect URI must be one the installation is configured with (Keycloak checks it again). */
  private redirectUri(requested?: string): string {
    const allowed = this.cfg.redirectUrls;
    if (requested === undefined) {
      if (allowed.length === 0) {
        throw new InvalidRedirectError(
          'AUTH_REDIRECT_INVALID',
          'redirect_uri: none configured (Keycloak.RedirectURLs)',
        );
      }
      return allowed[0];
    }
    if (!allowed.includes(requested)) {
      throw new InvalidRedirectError('AUTH_REDIRECT_INVALID', 'redirect_uri: not one of Keycloak.RedirectURLs');
    }
    return requested;
  }
}
