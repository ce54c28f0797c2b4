import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { VaultSecretNotFoundError } from '@/modules/vault/vault.errors';
import { VaultService } from '@/modules/vault/vault.service';
import { DataErrorCode, UploadTokenError } from '../data.errors';

/** Vault KV path (under KV2Prefix) of the HMAC key: `{key: base64 of 32 random bytes}`. */
export const UPLOAD_TOKEN_KEY_PATH = 'upload-token-key';
export const UPLOAD_TOKEN_TTL_SECONDS = 3600;
/** Keeps these tokens apart from any other HS256 token the backend might ever issue. */
const AUDIENCE = 'cv3-upload';

interface UploadClaims {
  sourceId: string;
  userId: string;
}

/** Short-lived JWTs that allow one user to upload to one source (`X-Upload-Token`). */
@Injectable()
export class UploadTokenService {
  private readonly logger = new Logger(UploadTokenService.name);
  private key?: Promise<Uint8Array>;

  constructor(private readonly vault: VaultService) {}

  async issue(sourceId: string, userId: string): Promise<string> {
    return new SignJWT({ sourceId, userId } satisfies UploadClaims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${UPLOAD_TOKEN_TTL_SECONDS}s`)
      .sign(await this.getKey());
  }

  /** Throws UploadTokenError unless the token is genuine, unexpired, and for this source and this user. */
  async verify(token: string | undefined, sourceId: string, userId: string): Promise<void> {
    if (!token) {
      throw new UploadTokenError(DataErrorCode.UploadTokenMissing, 'X-Upload-Token header missing');
    }
    let claims: Partial<UploadClaims>;
    try {
      const { payload } = await jwtVerify(token, await this.getKey(), { algorithms: ['HS256'], audience: AUDIENCE });
      claims = payload as Partial<UploadClaims>;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) {
        throw new UploadTokenError(DataErrorCode.UploadTokenInvalid, 'Upload token expired');
      }
      if (err instanceof joseErrors.JOSEError) {
        throw new UploadTokenError(DataErrorCode.UploadTokenInvalid, 'Upload token invalid');
      }
      throw err;
    }
    if (claims.sourceId !== sourceId) {
      throw new UploadTokenError(DataErrorCode.UploadTokenInvalid, 'Upload token is for another source');
    }
    if (claims.userId !== userId) {
      throw new UploadTokenError(DataErrorCode.UploadTokenInvalid, 'Upload token is for another user');
    }
  }

  private getKey(): Promise<Uint8Array> {
    this.key ??= this.loadKey().catch((err: unknown) => {
      this.key = undefined;
      throw err;
    });
    return this.key;
  }

  /**
   * Reads the key from Vault, creating it on first use. Two processes creating it at once both write, then both
   * read back what Vault kept; a token signed in between with the losing key fails once and is simply re-issued.
   */
  private async loadKey(): Promise<Uint8Array> {
    try {
      return decodeKey(await this.vault.kvRead<{ key?: unknown }>(UPLOAD_TOKEN_KEY_PATH));
    } catch (err) {
      if (!(err instanceof VaultSecretNotFoundError)) {
        throw err;
      }
    }
    await this.vault.kvWrite(UPLOAD_TOKEN_KEY_PATH, { key: randomBytes(32).toString('base64') });
    this.logger.log('created the upload token key in Vault');
    return decodeKey(await this.vault.kvRead<{ key?: unknown }>(UPLOAD_TOKEN_KEY_PATH));
  }
}

function decodeKey(secret: { key?: unknown }): Uint8Array {
  const key = typeof secret.key === 'string' ? Buffer.from(secret.key, 'base64') : Buffer.alloc(0);
  if (key.length < 32) {
    throw new Error(`Vault KV ${UPLOAD_TOKEN_KEY_PATH} holds no usable key (32 bytes, base64)`);
  }
  return new Uint8Array(key);
}
