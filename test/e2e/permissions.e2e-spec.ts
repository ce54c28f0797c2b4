import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { Permission, PERMISSION_ROLES, type Role } from '@/common/auth/permissions';
import { buildOpenApiDocument } from '@/common/openapi/openapi';
import { createTestApp } from './setup/app';
import { insertLocalUser } from './setup/local-users';
import { passwordGrant, type TestUser } from './setup/tokens';

/**
 * Every route × every role (and anonymous), against CV3's permission matrix (reference 3.3).
 * Later modules add their routes here; a test below fails when a served route is missing from the table.
 *
 * `public`: anyone; `token`: any valid token (a local row is checked by the handler where it needs one);
 * a Permission: an active local user whose role has it.
 */
type Access = 'public' | 'token' | Permission;
interface RouteCase {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  access: Access;
  /** A body that passes the guard but is harmless (usually invalid, so nothing is written). */
  body?: Record<string, unknown>;
}

const UUID = '00000000-0000-4000-8000-000000000000';

export const ROUTES: RouteCase[] = [
  { method: 'get', path: '/api', access: 'public' },
  { method: 'get', path: '/query', access: 'public' },
  { method: 'get', path: '/health/live', access: 'public' },
  { method: 'post', path: '/api/auth/token', access: 'public', body: {} },
  { method: 'post', path: '/query/auth/token', access: 'public', body: {} },
  { method: 'post', path: '/api/auth/logout', access: 'public', body: {} },
  { method: 'post', path: '/query/auth/logout', access: 'public', body: {} },
  { method: 'get', path: '/api/auth/user-info', access: 'token' },
  { method: 'get', path: '/query/auth/user-info', access: 'token' },
  ...(['api', 'query'] as const).flatMap((base): RouteCase[] => [
    { method: 'get', path: `/${base}/config/global`, access: Permission.SystemSettings },
    { method: 'post', path: `/${base}/config/global`, access: Permission.SystemSettings, body: {} },
    { method: 'get', path: `/${base}/config/user`, access: Permission.UserSettings },
    { method: 'post', path: `/${base}/config/user`, access: Permission.UserSettings, body: { unknown: 1 } },
    { method: 'get', path: `/${base}/config/keycloak`, access: 'public' },
    { method: 'get', path: `/${base}/users`, access: Permission.UserManagement },
    { method: 'post', path: `/${base}/users`, access: Permission.UserManagement, body: {} },
    { method: 'get', path: `/${base}/users/local`, access: Permission.UserManagement },
    { method: 'get', path: `/${base}/users/:id`, access: Permission.UserManagement },
    { method: 'patch', path: `/${base}/users/:id`, access: Permission.UserManagement, body: { unknown: 1 } },
    { method: 'delete', path: `/${base}/users/:id`, access: Permission.UserManagement },
    { method: 'post', path: `/${base}/users/:id/activate`, access: Permission.UserManagement },
    { method: 'post', path: `/${base}/users/:id/deactivate`, access: Permission.UserManagement },
    { method: 'post', path: `/${base}/users/:id/permit-login`, access: Permission.UserManagement },
    { method: 'post', path: `/${base}/users/:id/revoke-login`, access: Permission.UserManagement },
    { method: 'post', path: `/${base}/access-requests`, access: 'public', body: {} },
    { method: 'get', path: `/${base}/access-requests`, access: Permission.UserManagement },
    { method: 'get', path: `/${base}/access-requests/:id`, access: Permission.UserManagement },
    { method: 'post', path: `/${base}/access-requests/:id/approve`, access: Permission.UserManagement },
    { method: 'post', path: `/${base}/access-requests/:id/deny`, access: Permission.UserManagement },
  ]),
  // The source lists: every user, each seeing the sources its discovery groups grant (admins see all).
  { method: 'get', path: '/query/sources', access: Permission.Query },
  ...(['sources', 'source'] as const).flatMap((s): RouteCase[] => [
    { method: 'get', path: `/api/${s}`, access: Permission.Query },
    { method: 'post', path: `/api/${s}`, access: Permission.DataManagement, body: {} },
    { method: 'get', path: `/api/${s}/upload-token`, access: Permission.DataManagement },
    { method: 'get', path: `/api/${s}/:id`, access: Permission.DataManagement },
    { method: 'patch', path: `/api/${s}/:id`, access: Permission.DataManagement, body: { unknown: 1 } },
    { method: 'delete', path: `/api/${s}/:id`, access: Permission.DataManagement },
    { method: 'get', path: `/api/${s}/:id/datafiles`, access: Permission.DataManagement },
    { method: 'post', path: `/api/${s}/:id/upload`, access: Permission.DataManagement, body: {} },
    { method: 'get', path: `/api/${s}/:id/upload`, access: Permission.DataManagement },
  ]),
  { method: 'delete', path: '/api/datafiles/:id', access: Permission.DataManagement },
  { method: 'get', path: '/api/datafiles/:id/sample', access: Permission.DataManagement },
  { method: 'get', path: '/api/pipelines', access: Permission.DataManagement },
  { method: 'post', path: '/api/pipelines', access: Permission.DataManagement, body: {} },
  { method: 'get', path: '/api/pipelines/attributes', access: Permission.DataManagement },
  { method: 'get', path: '/api/pipelines/:id', access: Permission.DataManagement },
  { method: 'patch', path: '/api/pipelines/:id', access: Permission.DataManagement, body: { unknown: 1 } },
  { method: 'delete', path: '/api/pipelines/:id', access: Permission.DataManagement },
  { method: 'get', path: '/api/groups', access: Permission.DataManagement },
  { method: 'post', path: '/api/groups', access: Permission.DataManagement, body: {} },
  { method: 'get', path: '/api/groups/:id', access: Permission.DataManagement },
  { method: 'patch', path: '/api/groups/:id', access: Permission.DataManagement, body: { unknown: 1 } },
  { method: 'delete', path: '/api/groups/:id', access: Permission.DataManagement },
  ...(['api', 'query'] as const).flatMap((base): RouteCase[] => [
    ...(['sources', 'source'] as const).flatMap((s): RouteCase[] => [
      { method: 'post', path: `/${base}/${s}/:id/ingest`, access: Permission.DataManagement, body: {} },
      { method: 'post', path: `/${base}/${s}/:id/remap`, access: Permission.DataManagement, body: {} },
    ]),
    { method: 'post', path: `/${base}/sources/:id/index`, access: Permission.DataManagement },
    { method: 'get', path: `/${base}/sources/:id/eav-index`, access: Permission.DataManagement },
    { method: 'patch', path: `/${base}/sources/:id/eav-index`, access: Permission.DataManagement, body: { x: 1 } },
    { method: 'get', path: `/${base}/jobs`, access: Permission.DataManagement },
    { method: 'get', path: `/${base}/jobs/:id`, access: Permission.DataManagement },
    { method: 'post', path: `/${base}/jobs/:id/cancel`, access: Permission.DataManagement },
  ]),
  ...(['api', 'query'] as const).flatMap((base): RouteCase[] => [
    { method: 'get', path: `/${base}/terms/hpo`, access: Permission.Query },
    { method: 'get', path: `/${base}/terms/hpo/auto-complete/v2`, access: Permission.Query },
    { method: 'get', path: `/${base}/terms/hpo/:id`, access: Permission.Query },
    { method: 'post', path: `/${base}/terms/hpo/expand/v1`, access: Permission.Query, body: {} },
    { method: 'post', path: `/${base}/terms/hpo/similarity/v1`, access: Permission.Query, body: {} },
    { method: 'post', path: `/${base}/terms/hpo/replace/v1`, access: Permission.Query, body: {} },
  ]),
  // Record queries. POST and history/:id take optional auth: anonymous callers are let in only while the system
  // setting anonymousAccess is on (off here, so 401; record-lifecycle.e2e-spec.ts covers it on).
  { method: 'post', path: '/query/record', access: Permission.Query, body: { unknown: 1 } },
  { method: 'get', path: '/query/record/history', access: Permission.Query },
  { method: 'get', path: '/query/record/history/:id', access: Permission.Query },
  { method: 'get', path: '/query/record/:id', access: Permission.Query },
];

/** Served routes that need no row in the table (their own tests cover them), with why. */
const NOT_IN_TABLE: Record<string, string> = {
  'GET /health/ready': 'public; its status depends on the services, covered by the health tests',
  'POST /api/config/maintenance':
    'shared secret + X-Timestamp instead of a user token, covered by the maintenance tests',
  'POST /query/config/maintenance':
    'shared secret + X-Timestamp instead of a user token, covered by the maintenance tests',
};

const ROLE_USERS: Record<Role, TestUser> = {
  developer: 'developer',
  serverAdmin: 'serveradmin',
  dataAdmin: 'dataadmin',
  user: 'user',
};

function allowed(access: Access, role: Role | 'anonymous'): boolean {
  if (access === 'public') {
    return true;
  }
  if (role === 'anonymous') {
    return false;
  }
  return access === 'token' || PERMISSION_ROLES[access].includes(role);
}

describe('Permission matrix', () => {
  let app: INestApplication;
  const tokens: Partial<Record<Role, string>> = {};

  beforeAll(async () => {
    app = await createTestApp({ database: 'cv3_e2e_permissions' });
    for (const [role, user] of Object.entries(ROLE_USERS) as [Role, TestUser][]) {
      await insertLocalUser(app, user, { role, active: true });
      tokens[role] = (await passwordGrant(user)).access_token;
    }
  });

  afterAll(async () => {
    await app?.get<Connection>(getConnectionToken()).dropDatabase();
    await app?.close();
  });

  function send(route: RouteCase, token?: string) {
    let req = request(app.getHttpServer())[route.method](route.path.replace(':id', UUID));
    if (token) {
      req = req.set('Authorization', `Bearer ${token}`);
    }
    return route.body ? req.send(route.body) : req;
  }

  const cases = ROUTES.flatMap((route) =>
    (['anonymous', 'user', 'dataAdmin', 'serverAdmin', 'developer'] as const).map((role) => ({ route, role })),
  );

  it.each(cases)('should answer $route.method $route.path for $role as the matrix says', async ({ route, role }) => {
    const res = await send(route, role === 'anonymous' ? undefined : tokens[role]);
    if (allowed(route.access, role)) {
      expect([401, 403]).not.toContain(res.status);
    } else {
      expect(res.status).toBe(role === 'anonymous' ? 401 : 403);
    }
  });

  it('should refuse permission routes to a user without a local row or an inactive one', async () => {
    const guarded = ROUTES.filter((r) => r.access !== 'public' && r.access !== 'token');
    const connection = app.get<Connection>(getConnectionToken());
    await connection.collection('user.info').updateOne({ username: 'developer' }, { $set: { active: false } });
    for (const route of guarded) {
      const res = await send(route, tokens.developer);
      expect({ route: route.path, status: res.status, code: res.body.code }).toMatchObject({
        status: 403,
        code: 'AUTH_USER_INACTIVE',
      });
    }
    await connection.collection('user.info').deleteOne({ username: 'developer' });
    for (const route of guarded) {
      const res = await send(route, tokens.developer);
      expect({ route: route.path, code: res.body.code }).toMatchObject({ code: 'AUTH_USER_NOT_REGISTERED' });
    }
    await insertLocalUser(app, 'developer', { role: 'developer', active: true });
  });

  it('should list every served route in the table', () => {
    const doc = buildOpenApiDocument(app);
    const served = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path.replace(/\{[^}]+\}/g, ':id')}`),
    );
    const table = new Set(ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    const missing = served.filter((r) => !table.has(r) && !(r in NOT_IN_TABLE));
    expect(missing).toEqual([]);
  });
});
