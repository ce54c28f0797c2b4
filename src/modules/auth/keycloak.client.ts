import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keycloakConfig } from '@/config/configs';
import { VaultService } from '@/modules/vault/vault.service';
import { AuthErrorCode, IdentityProviderUnavailableError, UnauthorizedError } from './auth.errors';

const TIMEOUT_MS = 10_000;

export interface KeycloakTokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_expires_in: number;
}

/**
 * The backend's confidential client at Keycloak's token endpoints: code and refresh-token exchange and logout.
 * The client secret is read from Vault KV (`<prefix>/keycloak`, `client_secret`), never from the config file.
 */
@Injectable()
export class KeycloakClient {
  constructor(
    @Inject(keycloakConfig.KEY) private readonly cfg: ConfigType<typeof keycloakConfig>,
    private readonly vault: VaultService,
  ) {}

  exchangeCode(code: string, redirectUri: string): Promise<KeycloakTokens> {
    return this.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
  }

  refresh(refreshToken: string): Promise<KeycloakTokens> {
    return this.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /** Ends the Keycloak session the refresh token belongs to. */
  async logout(refreshToken: string): Promise<void> {
    const res = await this.post('logout', { refresh_token: refreshToken });
    if (!res.ok) {
      await res.body?.cancel();
      throw new UnauthorizedError(AuthErrorCode.GrantRejected, `Keycloak refused the logout (${res.status})`);
    }
    await res.body?.cancel();
  }

  private async tokenRequest(params: Record<string, string>): Promise<KeycloakTokens> {
    const res = await this.post('token', params);
    const body = (await res.json().catch(() => ({}))) as Partial<KeycloakTokens> & { error?: string };
    if (res.status >= 500) {
      throw new IdentityProviderUnavailableError(`Keycloak answered ${res.status}`);
    }
    if (!res.ok || !body.access_token || !body.refresh_token) {
      // invalid_grant (expired or used code, revoked refresh token), invalid_client, …: the reason, never the token.
      throw new UnauthorizedError(
        AuthErrorCode.GrantRejected,
        `Keycloak refused the grant (${body.error ?? res.status})`,
      );
    }
    return body as KeycloakTokens;
  }

  private async post(endpoint: 'token' | 'logout', params: Record<string, string>): Promise<Response> {
    const { client_secret } = await this.vault.kvRead<{ client_secret: string }>('keycloak');
    const url = `${this.cfg.backendUrl}/realms/${this.cfg.realm}/protocol/openid-connect/${endpoint}`;
    try {
      return await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...params, client_id: this.cfg.client, client_secret }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new IdentityProviderUnavailableError(undefined, { cause: err });
    }
  }
}
