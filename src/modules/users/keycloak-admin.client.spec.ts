import type { ConfigType } from '@nestjs/config';
import type { keycloakConfig } from '@/config/configs';
import type { VaultService } from '@/modules/vault/vault.service';
import { KeycloakAdminClient } from './keycloak-admin.client';

const cfg = { backendUrl: 'http://kc', realm: 'cv', client: 'cv3-backend' } as ConfigType<typeof keycloakConfig>;

function response(status: number, body?: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers });
}

describe(KeycloakAdminClient.name, () => {
  let fetchMock: jest.SpyInstance;
  let kvRead: jest.Mock;
  let client: KeycloakAdminClient;

  beforeEach(() => {
    fetchMock = jest.spyOn(global, 'fetch');
    kvRead = jest.fn().mockResolvedValue({ client_secret: 's3cret' });
    client = new KeycloakAdminClient(cfg, { kvRead } as unknown as VaultService);
  });

  afterEach(() => fetchMock.mockRestore());

  const tokenResponse = () => response(200, { access_token: 'tok', expires_in: 300 });

  it('should log in with the secret from Vault once and reuse the token', async () => {
    fetchMock
      .mockResolvedValueOnce(tokenResponse())
      .mockResolvedValueOnce(response(404))
      .mockResolvedValueOnce(response(200, { id: 'u1', username: 'x', enabled: true }));
    expect(await client.findById('a')).toBeNull();
    expect(await client.findById('u1')).toMatchObject({ id: 'u1' });
    expect(kvRead).toHaveBeenCalledWith('keycloak');
    expect(fetchMock).toHaveBeenCalledTimes(3);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('http://kc/realms/cv/protocol/openid-connect/token');
    expect((init.body as URLSearchParams).toString()).toContain('grant_type=client_credentials');
    expect((fetchMock.mock.calls[2] as [string, RequestInit])[1].headers).toMatchObject({
      authorization: 'Bearer tok',
    });
  });

  it('should return the new user ID from the Location header and map 409 to a conflict', async () => {
    fetchMock
      .mockResolvedValueOnce(tokenResponse())
      .mockResolvedValueOnce(response(201, undefined, { location: 'http://kc/admin/realms/cv/users/new-id' }))
      .mockResolvedValueOnce(response(409, { errorMessage: 'User exists with same username' }));
    const user = { username: 'u', email: 'u@example.org', firstName: 'U', lastName: 'V' };
    expect(await client.createUser(user)).toBe('new-id');
    await expect(client.createUser(user)).rejects.toMatchObject({ httpStatus: 409, code: 'USER_EXISTS' });
  });

  it('should turn an unreachable Keycloak into a 503', async () => {
    fetchMock.mockRejectedValue(new TypeError('fetch failed'));
    await expect(client.listUsers()).rejects.toMatchObject({ httpStatus: 503, code: 'KEYCLOAK_UNAVAILABLE' });
  });

  it('should fetch a new token once when the admin API answers 401', async () => {
    fetchMock
      .mockResolvedValueOnce(tokenResponse())
      .mockResolvedValueOnce(response(401))
      .mockResolvedValueOnce(tokenResponse())
      .mockResolvedValueOnce(response(200, []));
    await expect(client.listUsers()).resolves.toEqual([]);
    expect(kvRead).toHaveBeenCalledTimes(2);
  });
});
