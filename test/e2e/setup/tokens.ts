import { stack } from './stack';

export type TestUser = 'developer' | 'serveradmin' | 'dataadmin' | 'user';

interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

/** A real access token from the stack's Keycloak, by password grant on one of the realm's test clients. */
export async function passwordGrant(user: TestUser, clientId = stack.testClient): Promise<TokenResponse> {
  const res = await fetch(`${stack.keycloakUrl}/realms/${stack.realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: clientId,
      username: user,
      password: stack.testPassword,
      scope: 'openid',
    }),
  });
  if (!res.ok) {
    throw new Error(`password grant for ${user} on ${clientId} failed: ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as TokenResponse;
}

export function decodeJwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}
