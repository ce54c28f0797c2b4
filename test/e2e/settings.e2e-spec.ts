import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { SettingsService } from '@/modules/settings/settings.service';
import { createTestApp } from './setup/app';
import { stack } from './setup/stack';
import { decodeJwtPayload, passwordGrant, type TestUser } from './setup/tokens';

const DB = 'cv3_e2e_settings';
const VERSION = (JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string })
  .version;
const ROLES: Record<TestUser, string> = {
  developer: 'developer',
  serveradmin: 'serverAdmin',
  dataadmin: 'dataAdmin',
  user: 'user',
};

describe('Settings (/config/global, /config/user, /config/keycloak)', () => {
  let app: INestApplication;
  let connection: Connection;
  const tokens = {} as Record<TestUser, string>;
  const subs = {} as Record<TestUser, string>;
  const stackConfig = JSON.parse(readFileSync(stack.instanceConfigPath, 'utf8'));

  const http = () => request(app.getHttpServer());
  const instanceConfig = () => connection.collection('instance.config');
  const userSettings = () => connection.collection('user.settings');

  /** A complete SystemConfig body, as an admin would post it after a GET. */
  async function currentConfig(): Promise<any> {
    const res = await http().get('/api/config/global').set('Authorization', `Bearer ${tokens.dataadmin}`).expect(200);
    return res.body;
  }

  beforeAll(async () => {
    app = await createTestApp({ database: DB });
    connection = app.get<Connection>(getConnectionToken());
    await connection.collection('user.info').deleteMany({});
    for (const user of Object.keys(ROLES) as TestUser[]) {
      tokens[user] = (await passwordGrant(user)).access_token;
      subs[user] = decodeJwtPayload(tokens[user]).sub as string;
    }
    // The stack's Keycloak users have no local row: register each as an active local user with its role.
    await connection.collection('user.info').insertMany(
      (Object.keys(ROLES) as TestUser[]).map((user) => ({
        userId: subs[user],
        email: `${user}@cafevariome.test`,
        username: user,
        firstName: user,
        lastName: 'Test',
        affiliation: 'e2e',
        role: ROLES[user],
        active: true,
        allowLogin: true,
        budget: 100,
      })),
    );
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await app?.close();
  });

  describe('GET/POST /config/global', () => {
    beforeEach(async () => {
      // Every test starts from the first-start document.
      await instanceConfig().deleteMany({});
      await app.get(SettingsService).onModuleInit();
    });

    it('should store one document with defaults on first start, seeded from the config file', async () => {
      const docs = await instanceConfig().find({}).toArray();
      expect(docs).toHaveLength(1);
      expect(docs[0]).toMatchObject({
        _id: 'system',
        instanceSettings: { name: stackConfig.Logging.Name, version: VERSION },
        ownershipSettings: { name: stackConfig.Email.From.Name, email: stackConfig.Email.From.Address },
        discoverySettings: { defaultBudget: 100 },
        federationSettings: { autoUserRegistration: false, anonymousAccess: false },
      });
    });

    it('should create exactly one document when several processes start at once', async () => {
      await instanceConfig().deleteMany({});
      const settings = app.get(SettingsService);
      await Promise.all(Array.from({ length: 6 }, () => settings.onModuleInit()));
      expect(await instanceConfig().countDocuments({})).toBe(1);
    });

    it('should keep an existing document when started again', async () => {
      await instanceConfig().updateOne({}, { $set: { 'instanceSettings.name': 'Kept' } });
      await app.get(SettingsService).onModuleInit();
      expect(await instanceConfig().countDocuments({})).toBe(1);
      expect((await instanceConfig().findOne({}))!.instanceSettings.name).toBe('Kept');
    });

    it.each([
      ['dataadmin', 200],
      ['serveradmin', 200],
      ['developer', 200],
      ['user', 403],
    ] as const)('should answer GET for %s with %d', async (user, status) => {
      await http().get('/api/config/global').set('Authorization', `Bearer ${tokens[user]}`).expect(status);
    });

    it('should refuse GET and POST without a token with 401', async () => {
      await http().get('/api/config/global').expect(401);
      await http().post('/query/config/global').send({}).expect(401);
    });

    it('should refuse POST from a plain user with 403 and change nothing', async () => {
      const body = await currentConfig();
      body.instanceSettings.name = 'Hijacked';
      const res = await http()
        .post('/api/config/global')
        .set('Authorization', `Bearer ${tokens.user}`)
        .send(body)
        .expect(403);
      expect(res.body.code).toBe('AUTH_ROLE_NOT_PERMITTED');
      expect((await instanceConfig().findOne({}))!.instanceSettings.name).toBe(stackConfig.Logging.Name);
    });

    it('should answer the SystemConfig under /api and /query with the running version', async () => {
      const api = await currentConfig();
      const query = await http()
        .get('/query/config/global')
        .set('Authorization', `Bearer ${tokens.serveradmin}`)
        .expect(200);
      expect(query.body).toEqual(api);
      expect(api.instanceSettings.version).toBe(VERSION);
      expect(api).not.toHaveProperty('_id');
      expect(Object.keys(api).sort()).toEqual([
        'beaconSettings',
        'discoverySettings',
        'federationSettings',
        'instanceSettings',
        'nexusEnabled',
        'ownershipSettings',
      ]);
    });

    it('should replace the stored config on POST, ignore the posted version and show it at once', async () => {
      const body = await currentConfig();
      body.instanceSettings = { ...body.instanceSettings, name: 'Leicester node', version: '0.0.0' };
      body.ownershipSettings = { ...body.ownershipSettings, name: 'UoL', address: 'University Road', email: 'a@b.org' };
      body.federationSettings = { ...body.federationSettings, anonymousAccess: true, defaultTTL: 5 };
      body.discoverySettings.endpoints.neo4j = 'bolt://127.0.0.1:7687';
      delete body.discoverySettings.capability;

      const res = await http()
        .post('/api/config/global')
        .set('Authorization', `Bearer ${tokens.dataadmin}`)
        .send(body)
        .expect(200);
      expect(res.body).toEqual({ status: 'Success' });

      const stored = await instanceConfig().find({}).toArray();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({
        instanceSettings: { name: 'Leicester node', version: VERSION },
        ownershipSettings: { name: 'UoL', address: 'University Road', email: 'a@b.org' },
        federationSettings: { anonymousAccess: true, defaultTTL: 5 },
        discoverySettings: { endpoints: { neo4j: 'bolt://127.0.0.1:7687' } },
      });
      expect(stored[0].discoverySettings).not.toHaveProperty('capability');

      const after = await currentConfig();
      expect(after.instanceSettings).toMatchObject({ name: 'Leicester node', version: VERSION });
      expect(after.federationSettings.anonymousAccess).toBe(true);
      // The public instance info reads the same document.
      const info = await http().get('/api/').expect(200);
      expect(info.body).toMatchObject({ name: 'Leicester node', owner: 'UoL', ownerEmail: 'a@b.org' });
    });

    it('should let other modules see a change made by another process within the cache time', async () => {
      const settings = app.get(SettingsService);
      expect((await settings.getSystemConfig()).federationSettings.autoUserRegistration).toBe(false);
      // Another process writes straight to the database.
      await instanceConfig().updateOne({}, { $set: { 'federationSettings.autoUserRegistration': true } });
      const deadline = Date.now() + 3000;
      let seen = false;
      while (!seen && Date.now() < deadline) {
        seen = (await settings.getSystemConfig()).federationSettings.autoUserRegistration;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toBe(true);
    });

    it.each([
      ['a missing section', (b: any) => delete b.beaconSettings, 'beaconSettings'],
      ['a missing field', (b: any) => delete b.federationSettings.defaultTTL, 'federationSettings.defaultTTL'],
      ['a wrong type', (b: any) => (b.nexusEnabled = 'yes'), 'nexusEnabled'],
      ['a TTL below 1', (b: any) => (b.federationSettings.defaultTTL = 0), 'federationSettings.defaultTTL'],
      ['a budget above 100', (b: any) => (b.discoverySettings.defaultBudget = 150), 'discoverySettings.defaultBudget'],
      ['an unknown key', (b: any) => (b.ownershipSettings.phone = '123'), 'property phone'],
      ['an oversize field', (b: any) => (b.instanceSettings.name = 'n'.repeat(201)), 'instanceSettings.name'],
      ['a bad URL', (b: any) => (b.instanceSettings.url = 'ftp:/x'), 'instanceSettings.url'],
    ])('should refuse %s with 400 naming the field and store nothing', async (_label, change, field) => {
      const before = await instanceConfig().findOne({});
      const body = await currentConfig();
      body.instanceSettings.name = 'Should not be stored';
      change(body);
      const res = await http()
        .post('/api/config/global')
        .set('Authorization', `Bearer ${tokens.dataadmin}`)
        .send(body)
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.message).toContain(field);
      expect(await instanceConfig().findOne({})).toEqual(before);
    });
  });

  describe('GET/POST /config/user', () => {
    afterEach(async () => {
      await userSettings().deleteMany({});
    });

    it('should answer the defaults when the user has stored nothing', async () => {
      const res = await http().get('/api/config/user').set('Authorization', `Bearer ${tokens.user}`).expect(200);
      expect(res.body.colorSetting).toEqual({ seedColor: '6750a4', themeMode: 0 });
      expect(res.body.capability).toMatchObject({ hpo: true, subjectCapability: { age: true } });
    });

    it('should store the caller’s own settings keyed by their user ID and answer them back', async () => {
      const body = { colorSetting: { seedColor: 'A1B2C3', themeMode: 2 }, capability: { hpo: false, ordo: true } };
      const res = await http()
        .post('/query/config/user')
        .set('Authorization', `Bearer ${tokens.user}`)
        .send(body)
        .expect(200);
      expect(res.body).toEqual({ status: 'Success' });

      const stored = await userSettings().find({}).toArray();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ userId: subs.user, ...body });

      const mine = await http().get('/api/config/user').set('Authorization', `Bearer ${tokens.user}`).expect(200);
      expect(mine.body).toEqual(body);
      // Another user still has the defaults.
      const theirs = await http().get('/api/config/user').set('Authorization', `Bearer ${tokens.dataadmin}`);
      expect(theirs.body.colorSetting.themeMode).toBe(0);
    });

    it('should replace, not duplicate, on a second POST', async () => {
      const post = (themeMode: number) =>
        http()
          .post('/api/config/user')
          .set('Authorization', `Bearer ${tokens.developer}`)
          .send({ colorSetting: { seedColor: '000000', themeMode }, capability: {} })
          .expect(200);
      await post(1);
      await post(2);
      const stored = await userSettings().find({ userId: subs.developer }).toArray();
      expect(stored).toHaveLength(1);
      expect(stored[0].colorSetting.themeMode).toBe(2);
    });

    it('should refuse a request without a token with 401', async () => {
      await http().get('/api/config/user').expect(401);
    });

    it.each([
      ['a missing colorSetting', { capability: {} }, 'colorSetting'],
      ['a bad seed colour', { colorSetting: { seedColor: '#fff', themeMode: 0 }, capability: {} }, 'seedColor'],
      [
        'a wrong theme mode type',
        { colorSetting: { seedColor: 'ffffff', themeMode: '1' }, capability: {} },
        'themeMode',
      ],
      ['an unknown key', { colorSetting: { seedColor: 'ffffff', themeMode: 0 }, capability: {}, x: 1 }, 'property x'],
      [
        'an oversize capability',
        { colorSetting: { seedColor: 'ffffff', themeMode: 0 }, capability: { a: 'x'.repeat(10_000) } },
        'capability must be at most 8192 bytes',
      ],
      [
        'an operator key in capability',
        { colorSetting: { seedColor: 'ffffff', themeMode: 0 }, capability: { $set: 1 } },
        'capability has an invalid key',
      ],
    ])('should refuse %s with 400 naming the field and store nothing', async (_label, body, field) => {
      const res = await http().post('/api/config/user').set('Authorization', `Bearer ${tokens.user}`).send(body);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(field);
      expect(await userSettings().countDocuments({})).toBe(0);
    });
  });

  describe('GET /config/keycloak', () => {
    it('should answer the public Keycloak settings without a token', async () => {
      for (const base of ['/api', '/query']) {
        const res = await http().get(`${base}/config/keycloak`).expect(200);
        expect(res.body).toEqual({
          url: String(stackConfig.Keycloak.URL).replace(/\/+$/, ''),
          realm: stackConfig.Keycloak.Realm,
          client_id: stackConfig.Keycloak.Client,
        });
      }
    });
  });
});
