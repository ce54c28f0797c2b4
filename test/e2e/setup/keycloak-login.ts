import { stack } from './stack';

/** A tiny cookie jar: Keycloak's login form needs its session cookies back. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function decodeHtml(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#x2F;/g, '/')
    .replace(/&#47;/g, '/');
}

/**
 * Drives Keycloak's real login page headless, as a browser would (standard flow): GET the authorization endpoint,
 * post the login form with the session cookies, and take the code from the redirect.
 */
export async function authorizationCode(
  username: string,
  opts: { clientId?: string; redirectUri?: string; password?: string } = {},
): Promise<{ code: string; redirectUri: string }> {
  const clientId = opts.clientId ?? stack.backendClient;
  const redirectUri = opts.redirectUri ?? 'http://127.0.0.1:5000/callback.html';
  const jar = new CookieJar();
  const state = Math.random().toString(36).slice(2);
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid',
    state,
  });
  const authUrl = `${stack.keycloakUrl}/realms/${stack.realm}/protocol/openid-connect/auth?${query.toString()}`;
  const page = await fetch(authUrl, { redirect: 'manual' });
  jar.store(page);
  const html = await page.text();
  const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) {
    throw new Error(`no login form on Keycloak's page (status ${page.status})`);
  }
  const login = await fetch(decodeHtml(action), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ username, password: opts.password ?? stack.testPassword, credentialId: '' }),
  });
  const location = login.headers.get('location');
  if (login.status !== 302 || !location) {
    throw new Error(`Keycloak did not redirect after login (status ${login.status})`);
  }
  const url = new URL(location);
  const code = url.searchParams.get('code');
  if (!code || url.searchParams.get('state') !== state) {
    throw new Error(`no code or wrong state in the redirect to ${url.origin}${url.pathname}`);
  }
  return { code, redirectUri };
}

/** An access token from another realm (created on demand through the master realm's admin API). */
export async function otherRealmToken(): Promise<string> {
  const base = stack.keycloakUrl;
  const admin = await fetch(`${base}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }),
  });
  const { access_token: adminToken } = (await admin.json()) as { access_token: string };
  const auth = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const realm = 'cv3-e2e-other';
  const exists = await fetch(`${base}/admin/realms/${realm}`, { headers: auth });
  if (exists.status === 404) {
    const created = await fetch(`${base}/admin/realms`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        realm,
        enabled: true,
        clients: [
          {
            clientId: stack.backendClient,
            publicClient: true,
            directAccessGrantsEnabled: true,
            protocolMappers: [
              {
                name: 'backend-audience',
                protocol: 'openid-connect',
                protocolMapper: 'oidc-audience-mapper',
                config: { 'included.client.audience': stack.backendClient, 'access.token.claim': 'true' },
              },
            ],
          },
        ],
        users: [
          {
            username: 'intruder',
            enabled: true,
            email: 'intruder@other.test',
            emailVerified: true,
            firstName: 'In',
            lastName: 'Truder',
            credentials: [{ type: 'password', value: 'intruder-password', temporary: false }],
          },
        ],
      }),
    });
    if (!created.ok) {
      throw new Error(`could not create realm ${realm}: ${created.status} ${await created.text()}`);
    }
  }
  const res = await fetch(`${base}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: stack.backendClient,
      username: 'intruder',
      password: 'intruder-password',
    }),
  });
  if (!res.ok) {
    throw new Error(`token from ${realm} failed: ${res.status} ${await res.text()}`);
  }
  return ((await res.json()) as { access_token: string }).access_token;
}
