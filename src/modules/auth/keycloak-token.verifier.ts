import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { keycloakConfig } from '@/config/configs';
import type { AuthenticatedUser } from '@/common/auth/current-user.decorator';
import { AuthErrorCode, IdentityProviderUnavailableError, UnauthorizedError } from './auth.errors';

/** Keycloak signs with RS256 by default; the others are accepted when a realm is set to them. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
const JWKS_TIMEOUT_MS = 5000;

interface KeycloakClaims extends JWTPayload {
  preferred_username?: string;
  email?: string;
  given_name?: string;
  family_name?: string;
  azp?: string;
  typ?: string;
}

/**
 * Verifies Keycloak access tokens against the realm's JWKS: signature, issuer, audience, expiry and not-before.
 * jose caches the key set and fetches it again when a token names a key ID it does not know (key rotation).
 */
@Injectable()
export class KeycloakTokenVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(@Inject(keycloakConfig.KEY) private readonly cfg: ConfigType<typeof keycloakConfig>) {
    this.jwks = createRemoteJWKSet(new URL(cfg.jwksUri), {
      timeoutDuration: JWKS_TIMEOUT_MS,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
  }

  async verify(token: string): Promise<AuthenticatedUser> {
    let payload: KeycloakClaims;
    try {
      ({ payload } = await jwtVerify<KeycloakClaims>(token, this.jwks, {
        issuer: this.cfg.issuer,
        audience: this.cfg.client,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw this.toError(err);
    }
    // Keycloak also signs ID and refresh tokens with the realm key; only access tokens open the API.
    if (payload.typ !== undefined && payload.typ !== 'Bearer') {
      throw new UnauthorizedError(AuthErrorCode.TokenInvalid, 'Not an access token');
    }
    return {
      userId: payload.sub as string,
      username: payload.preferred_username,
      email: payload.email,
      firstName: payload.given_name,
      lastName: payload.family_name,
      clientId: payload.azp,
      expiresAt: payload.exp as number,
    };
  }

  private toError(err: unknown): Error {
    if (err instanceof errors.JWTExpired) {
      return new UnauthorizedError(AuthErrorCode.TokenExpired, 'Access token expired');
    }
    if (err instanceof errors.JWKSTimeout) {
      return new IdentityProviderUnavailableError(undefined, { cause: err });
    }
    if (err instanceof errors.JOSEError) {
      // Bad signature, unknown key, wrong issuer/audience, not yet valid, malformed: the reason, not the token.
      const reason = err instanceof errors.JWTClaimValidationFailed ? `claim "${err.claim}" ${err.reason}` : err.code;
      return new UnauthorizedError(AuthErrorCode.TokenInvalid, `Invalid access token (${reason})`);
    }
    // fetch failed: Keycloak unreachable.
    return new IdentityProviderUnavailableError(undefined, { cause: err });
  }
}
