import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keycloakConfig } from '@/config/configs';
import { VaultService } from '@/modules/vault/vault.service';
import { KeycloakUnavailableError, UserConflictError, UserInvalidError, UsersErrorCode } from './users.errors';

const TIMEOUT_MS = 10_000;
/** Fetch a new service token this long before the cached one expires. */
const TOKEN_MARGIN_MS = 30_000;
const PAGE = 100;

/** The fields of Keycloak's UserRepresentation the backend uses. */
export interface KeycloakUser {
  id: string;
  username: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  enabled: boolean;
  emailVerified?: boolean;
}

export interface NewKeycloakUser {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
}

/** Actions the set-password mail asks for; following its link also proves the address. */
export const NEW_USER_ACTIONS = ['UPDATE_PASSWORD', 'VERIFY_EMAIL'] as const;

/**
 * The one adapter to Keycloak's admin REST API, as the installation's confidential client's service account
 * (client_credentials grant; the client secret comes from Vault KV `keycloak`, never from the config file).
 * Every call is bounded; Keycloak down or refusing the service account becomes a 503.
 */
@Injectable()
export class KeycloakAdminClient {
  private readonly logger = new Logger(KeycloakAdminClient.name);
  private token?: { value: string; expiresAt: number };
  private tokenRequest?: Promise<string>;

  constructor(
    @Inject(keycloakConfig.KEY) private readonly cfg: ConfigType<typeof keycloakConfig>,
    private readonly vault: VaultService,
  ) {}

  /** Creates an enabled user whose address is not yet verified; returns the Keycloak user ID. */
  async createUser(user: NewKeycloakUser): Promise<string> {
    const res = await this.request('POST', '/users', {
      body: { ...user, enabled: true, emailVerified: false },
    });
    if (res.status === 409) {
      throw new UserConflictError(UsersErrorCode.UserExists, 'Keycloak already has a user with this username or email');
    }
    if (res.status === 400) {
      const detail = await errorText(res);
      throw new UserInvalidError(UsersErrorCode.UserInvalid, `Keycloak refused the user${detail}`);
    }
    this.ensure(res, [201], 'create user');
    const id = res.headers.get('location')?.split('/').pop();
    if (!id) {
      throw new KeycloakUnavailableError(UsersErrorCode.KeycloakRequestFailed, 'Keycloak created a user without an ID');
    }
    return id;
  }

  /** Has Keycloak mail the user a link that runs the given actions (set password, verify email). */
  async executeActionsEmail(userId: string, actions: readonly string[]): Promise<void> {
    const res = await this.request('PUT', `/users/${encodeURIComponent(userId)}/execute-actions-email`, {
      body: actions,
    });
    this.ensure(res, [204, 200], 'execute-actions-email');
  }

  async findById(userId: string): Promise<KeycloakUser | null> {
    const res = await this.request('GET', `/users/${encodeURIComponent(userId)}`);
    if (res.status === 404) {
      return null;
    }
    this.ensure(res, [200], 'read user');
    return toUser(await res.json());
  }

  /** The realm user with exactly this e-mail address, if any. */
  async findByEmail(email: string): Promise<KeycloakUser | null> {
    const query = new URLSearchParams({ email, exact: 'true', briefRepresentation: 'true' });
    const res = await this.request('GET', `/users?${query.toString()}`);
    this.ensure(res, [200], 'find user by email');
    const users = ((await res.json()) as unknown[]).map(toUser);
    return users.find((u) => u.email?.toLowerCase() === email.toLowerCase()) ?? null;
  }

  /** One page of realm users (Keycloak's `first`/`max`). */
  async listUsers(first = 0, max = PAGE): Promise<KeycloakUser[]> {
    const query = new URLSearchParams({ first: String(first), max: String(max), briefRepresentation: 'true' });
    const res = await this.request('GET', `/users?${query.toString()}`);
    this.ensure(res, [200], 'list users');
    return ((await res.json()) as unknown[]).map(toUser);
  }

  /** Every realm user, page by page, up to `limit`. */
  async listAllUsers(limit = 10_000): Promise<KeycloakUser[]> {
    const all: KeycloakUser[] = [];
    for (let first = 0; first < limit; first += PAGE) {
      const page = await this.listUsers(first, Math.min(PAGE, limit - first));
      all.push(...page);
      if (page.length < PAGE) {
        return all;
      }
    }
    this.logger.warn(`realm has more than ${limit} users; the list is cut there`);
    return all;
  }

  /** Deletes a Keycloak account; false when there was none. */
  async deleteUser(userId: string): Promise<boolean> {
    const res = await this.request('DELETE', `/users/${encodeURIComponent(userId)}`);
    if (res.status === 404) {
      return false;
    }
    this.ensure(res, [204, 200], 'delete user');
    return true;
  }

  // ---- transport ----------------------------------------------------------------------------------------------

  private async request(method: string, path: string, opts: { body?: unknown } = {}): Promise<Response> {
    const url = `${this.cfg.backendUrl}/admin/realms/${encodeURIComponent(this.cfg.realm)}${path}`;
    const send = async () =>
      this.fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${await this.serviceToken()}`,
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    let res = await send();
    if (res.status === 401) {
      // The cached token was revoked or the realm's keys rotated: fetch a new one once.
      this.token = undefined;
      res = await send();
    }
    return res;
  }

  private async serviceToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) {
      return this.token.value;
    }
    this.tokenRequest ??= this.fetchServiceToken().finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private async fetchServiceToken(): Promise<string> {
    const { client_secret: secret } = await this.vault.kvRead<{ client_secret?: string }>('keycloak');
    if (typeof secret !== 'string' || secret === '') {
      throw new KeycloakUnavailableError(
        UsersErrorCode.KeycloakRequestFailed,
        'Vault KV "keycloak" has no client_secret for the Keycloak client',
      );
    }
    const res = await this.fetch(
      `${this.cfg.backendUrl}/realms/${encodeURIComponent(this.cfg.realm)}/protocol/openid-connect/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: this.cfg.client,
          client_secret: secret,
        }),
      },
    );
    if (!res.ok) {
      throw new KeycloakUnavailableError(
        UsersErrorCode.KeycloakRequestFailed,
        `Keycloak refused the service account login (${res.status})`,
      );
    }
    const body = (await res.json()) as { access_token: string; expires_in: number };
    this.token = {
      value: body.access_token,
      expiresAt: Date.now() + Math.max(0, body.expires_in * 1000 - TOKEN_MARGIN_MS),
    };
    return body.access_token;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new KeycloakUnavailableError(UsersErrorCode.KeycloakUnavailable, 'Keycloak is unavailable', undefined, {
        cause: err,
      });
    }
  }

  private ensure(res: Response, ok: number[], what: string): void {
    if (ok.includes(res.status)) {
      return;
    }
    const code =
      res.status >= 500 || res.status === 401 || res.status === 403
        ? UsersErrorCode.KeycloakUnavailable
        : UsersErrorCode.KeycloakRequestFailed;
    throw new KeycloakUnavailableError(code, `Keycloak ${what} failed (${res.status})`);
  }
}

function toUser(raw: unknown): KeycloakUser {
  const u = raw as KeycloakUser;
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    enabled: u.enabled,
    emailVerified: u.emailVerified,
  };
}

/** Keycloak's `errorMessage` (a message key such as "error-invalid-email"), never more. */
async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { errorMessage?: unknown; field?: unknown };
    const field = typeof body.field === 'string' ? ` ${body.field}` : '';
    return typeof body.errorMessage === 'string' ? `:${field} ${body.errorMessage.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}
