import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { vaultConfig } from '@/config/configs';
import { VaultClient } from './vault.client';

export type TransitKeyType = 'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'aes256-gcm96' | 'ed25519' | 'ecdsa-p256';

const NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const KV_PATH = /^[A-Za-z0-9_.\-/]{1,512}$/;

/** Transit (keys, encrypt, decrypt, sign, verify) and KV v2 under the configured mount and prefix. */
@Injectable()
export class VaultService {
  constructor(
    private readonly client: VaultClient,
    @Inject(vaultConfig.KEY) private readonly cfg: ConfigType<typeof vaultConfig>,
  ) {}

  /** For readiness checks: Vault answers and is initialised and unsealed. */
  async isReady(): Promise<boolean> {
    const h = await this.client.health();
    return h.initialized && !h.sealed;
  }

  // ---- transit ----------------------------------------------------------------------------------------------

  async createTransitKey(name: string, type: TransitKeyType, opts: { deletionAllowed?: boolean } = {}): Promise<void> {
    await this.client.write(this.transit('keys', name), { type });
    if (opts.deletionAllowed) {
      await this.client.write(`${this.transit('keys', name)}/config`, { deletion_allowed: true });
    }
  }

  async transitKeyExists(name: string): Promise<boolean> {
    try {
      await this.client.read(this.transit('keys', name));
      return true;
    } catch (err) {
      if ((err as { httpStatus?: number }).httpStatus === 404) {
        return false;
      }
      throw err;
    }
  }

  async deleteTransitKey(name: string): Promise<void> {
    await this.client.write(`${this.transit('keys', name)}/config`, { deletion_allowed: true });
    await this.client.delete(this.transit('keys', name));
  }

  async encrypt(key: string, plaintext: Buffer | string): Promise<string> {
    const res = await this.client.write<{ data: { ciphertext: string } }>(this.transit('encrypt', key), {
      plaintext: Buffer.from(plaintext).toString('base64'),
    });
    return res.data.ciphertext;
  }

  async decrypt(key: string, ciphertext: string): Promise<Buffer> {
    const res = await this.client.write<{ data: { plaintext: string } }>(this.transit('decrypt', key), { ciphertext });
    return Buffer.from(res.data.plaintext, 'base64');
  }

  async sign(key: string, input: Buffer | string): Promise<string> {
    const res = await this.client.write<{ data: { signature: string } }>(this.transit('sign', key), {
      input: Buffer.from(input).toString('base64'),
    });
    return res.data.signature;
  }

  async verify(key: string, input: Buffer | string, signature: string): Promise<boolean> {
    const res = await this.client.write<{ data: { valid: boolean } }>(this.transit('verify', key), {
      input: Buffer.from(input).toString('base64'),
      signature,
    });
    return res.data.valid;
  }

  // ---- KV v2, every path under KV2Prefix ---------------------------------------------------------------------

  async kvRead<T extends Record<string, unknown> = Record<string, unknown>>(path: string): Promise<T> {
    const res = await this.client.read<{ data: { data: T } }>(this.kv('data', path));
    return res.data.data;
  }

  async kvWrite(path: string, data: Record<string, unknown>): Promise<void> {
    await this.client.write(this.kv('data', path), { data });
  }

  /** Deletes every version and the metadata of a secret. */
  async kvDelete(path: string): Promise<void> {
    await this.client.delete(this.kv('metadata', path));
  }

  async kvList(path = ''): Promise<string[]> {
    return this.client.list(this.kv('metadata', path));
  }

  private transit(op: string, name: string): string {
    if (!NAME.test(name)) {
      throw new TypeError(`invalid transit key name: ${name}`);
    }
    return `${this.cfg.transitPath}/${op}/${name}`;
  }

  private kv(kind: 'data' | 'metadata', path: string): string {
    if (path !== '' && (!KV_PATH.test(path) || path.split('/').includes('..'))) {
      throw new TypeError(`invalid KV path: ${path}`);
    }
    const sub = path ? `/${path.replace(/^\/+/, '')}` : '';
    return `${this.cfg.kv2Path}/${kind}/${this.cfg.kv2Prefix}${sub}`;
  }
}
