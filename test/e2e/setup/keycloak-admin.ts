import { stack } from './stack';

/*
 * Direct calls to Keycloak's admin REST API as the backend client's service account, so tests check what
 * Keycloak holds without going through the code under test.
 */

async function serviceToken(): Promise<string> {
  const secret = process.env.CV3_KEYCLOAK_CLIENT_SECRET;
  if (!secret) {
    throw new Error('CV3_KEYCLOAK_CLIENT_SECRET is not set (eval "$(bin/cv3-stack env)")');
  }
  const res = await fetch(`${stack.keycloakUrl}/realms/${stack.realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: stack.backendClient,
      client_secret: secret,
    }),
  });
  if (!res.ok) {
    throw new Error(`service account login failed: ${res.status}`);
  }
  return ((await res.json()) as { access_token: string }).access_token;
}

async function admin(method: string, path: string): Promise<Response> {
  return fetch(`${stack.keycloakUrl}/admin/realms/${stack.realm}${path}`, {
    method,
    headers: { authorization: `Bearer ${await serviceToken()}` },
  });
}

export interface RealmUser {
  id: string;
  username: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  enabled: boolean;
  emailVerified?: boolean;
}

export async function findRealmUserByEmail(email: string): Promise<RealmUser | undefined> {
  const res = await admin('GET', `/users?${new URLSearchParams({ email, exact: 'true' }).toString()}`);
  const users = (await res.json()) as RealmUser[];
  return users[0];
}

export async function findRealmUserById(id: string): Promise<RealmUser | undefined> {
  const res = await admin('GET', `/users/${id}`);
  return res.status === 200 ? ((await res.json()) as RealmUser) : undefined;
}

export async function deleteRealmUser(id: string): Promise<void> {
  await admin('DELETE', `/users/${id}`);
}

/** A transit key as OpenBao holds it (root token), or undefined. */
export async function transitKey(name: string): Promise<{ type: string; deletion_allowed: boolean } | undefined> {
  const res = await fetch(`${stack.vaultAddr}/v1/transit_cv3/keys/${name}`, {
    headers: { 'X-Vault-Token': stack.vaultRootToken },
  });
  return res.status === 200
    ? ((await res.json()) as { data: { type: string; deletion_allowed: boolean } }).data
    : undefined;
}

export async function deleteTransitKey(name: string): Promise<void> {
  const headers = { 'X-Vault-Token': stack.vaultRootToken };
  await fetch(`${stack.vaultAddr}/v1/transit_cv3/keys/${name}/config`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ deletion_allowed: true }),
  });
  await fetch(`${stack.vaultAddr}/v1/transit_cv3/keys/${name}`, { method: 'DELETE', headers });
}
