import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { VaultService } from '@/modules/vault/vault.service';
import { createTestApp } from './setup/app';
import { stack } from './setup/stack';

/** Reads Vault directly with the root token, to check what the app stored. */
async function rootRead(path: string): Promise<any> {
  const res = await fetch(`${stack.vaultAddr}/v1/${path}`, { headers: { 'X-Vault-Token': stack.vaultRootToken } });
  return res.status === 200 ? res.json() : { status: res.status };
}

describe('Vault through AppRole (OpenBao)', () => {
  let app: INestApplication;
  let vault: VaultService;
  const key = `e2e-${randomUUID()}`;

  beforeAll(async () => {
    app = await createTestApp({ database: 'cv3_e2e_vault' });
    vault = app.get(VaultService);
  });

  afterAll(async () => {
    await vault?.deleteTransitKey(key).catch(() => undefined);
    await vault?.kvDelete(`e2e/${key}`).catch(() => undefined);
    await app?.close();
  });

  it('should round-trip a transit encrypt and decrypt with a key it created', async () => {
    await vault.createTransitKey(key, 'rsa-4096', { deletionAllowed: true });
    const stored = await rootRead(`transit_cv3/keys/${key}`);
    expect(stored.data).toMatchObject({ type: 'rsa-4096', deletion_allowed: true });

    const ciphertext = await vault.encrypt(key, 'phenotype HP:0001250');
    expect(ciphertext).toMatch(/^vault:v1:/);
    expect(ciphertext).not.toContain('HP:0001250');
    expect((await vault.decrypt(key, ciphertext)).toString('utf8')).toBe('phenotype HP:0001250');
  });

  it('should write and read a KV v2 secret under the configured prefix', async () => {
    await vault.kvWrite(`e2e/${key}`, { value: 'xyzzy', n: 42 });
    expect(await vault.kvRead(`e2e/${key}`)).toEqual({ value: 'xyzzy', n: 42 });
    const stored = await rootRead(`kv/data/cv3/e2e/${key}`);
    expect(stored.data.data).toEqual({ value: 'xyzzy', n: 42 });
    expect(await vault.kvList('e2e')).toContain(key);
  });

  it('should read the Keycloak client secret provisioned by the stack', async () => {
    const { client_secret } = await vault.kvRead<{ client_secret: string }>('keycloak');
    expect(client_secret).toBe(process.env.CV3_KEYCLOAK_CLIENT_SECRET);
  });

  it('should answer a missing secret with a not-found error', async () => {
    await expect(vault.kvRead(`e2e/missing-${key}`)).rejects.toMatchObject({
      code: 'VAULT_SECRET_NOT_FOUND',
      httpStatus: 404,
    });
  });

  it('should refuse a KV path that climbs out of the prefix', async () => {
    await expect(vault.kvRead('../outside')).rejects.toThrow(TypeError);
  });
});
