import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { AccessService } from '@/modules/query/groups/access.service';
import { createTestApp } from './setup/app';
import { insertLocalUser } from './setup/local-users';
import { passwordGrant } from './setup/tokens';

const DB = 'cv3_e2e_groups';
const GROUPS = 'network.groups';
const NO_SUCH = '00000000-0000-4000-8000-000000000000';

const source = (sourceName: string) => ({
  sourceType: 'internal',
  sourceName,
  displayName: sourceName,
  sourceDescription: 'e2e',
  owner: 'Clinical Genetics',
  ownerEmail: 'genetics@example.org',
});

describe('Discovery groups and source visibility', () => {
  let app: INestApplication;
  let connection: Connection;
  let admin: string;
  let developer: string;
  let user: string;
  let serverAdmin: string;
  let userId: string;
  let serverAdminId: string;

  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function createSource(name: string): Promise<string> {
    const res = await http().post('/api/sources').set(as(admin)).send(source(name)).expect(200);
    return res.body.sourceId as string;
  }

  async function createGroup(body: Record<string, unknown>): Promise<string> {
    const res = await http().post('/api/groups/').set(as(admin)).send(body).expect(200);
    expect(res.body).toEqual({ status: 'Success', groupId: expect.any(String) });
    return res.body.groupId as string;
  }

  const storedGroups = () =>
    connection
      .collection(GROUPS)
      .find({}, { projection: { _id: 0, createdAt: 0, updatedAt: 0 } })
      .toArray();

  const sourceNames = (body: Array<{ sourceName: string }>) => body.map((s) => s.sourceName).sort();

  beforeAll(async () => {
    app = await createTestApp({ database: DB });
    connection = app.get<Connection>(getConnectionToken());
    for (const name of ['sources', GROUPS, 'user.info']) {
      await connection.collection(name).deleteMany({});
    }
    await insertLocalUser(app, 'dataadmin', { role: 'dataAdmin' });
    await insertLocalUser(app, 'developer', { role: 'developer' });
    userId = await insertLocalUser(app, 'user', { role: 'user' });
    serverAdminId = await insertLocalUser(app, 'serveradmin', { role: 'serverAdmin' });
    admin = (await passwordGrant('dataadmin')).access_token;
    developer = (await passwordGrant('developer')).access_token;
    user = (await passwordGrant('user')).access_token;
    serverAdmin = (await passwordGrant('serveradmin')).access_token;
  });

  afterEach(async () => {
    for (const name of ['sources', GROUPS]) {
      await connection.collection(name).deleteMany({});
    }
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await app?.close();
  });

  describe('/api/groups', () => {
    it('should create a group with its defaults, store it and read it back', async () => {
      const s1 = await createSource('s1');
      const groupId = await createGroup({
        groupName: '  Clinicians  ',
        discoveryPolicy: 'count',
        assignedUsers: [userId, 'anonymous', userId],
        assignedSources: [s1, s1],
      });
      const expected = {
        groupId,
        groupName: 'Clinicians',
        groupDescription: '',
        networkId: 'local',
        discoveryPolicy: 'count',
        assignedUsers: [userId, 'anonymous'],
        assignedSources: [s1],
      };
      expect(await storedGroups()).toEqual([expected]);
      expect(await connection.collection(GROUPS).findOne({ groupId })).toMatchObject({
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
      });
      await http().get(`/api/groups/${groupId}`).set(as(admin)).expect(200, expected);
      await http().get('/api/groups/').set(as(developer)).expect(200, [expected]);
    });

    it.each([
      ['groupName', { groupName: undefined }],
      ['groupName', { groupName: '   ' }],
      ['groupName', { groupName: 'x'.repeat(101) }],
      ['groupDescription', { groupDescription: 'x'.repeat(1001) }],
      ['discoveryPolicy', { discoveryPolicy: 'everything' }],
      ['networkId', { networkId: 'another-network' }],
      ['assignedUsers', { assignedUsers: 'anonymous' }],
      ['assignedUsers', { assignedUsers: ['not-a-local-user'] }],
      ['assignedSources', { assignedSources: ['not-a-uuid'] }],
      ['assignedSources', { assignedSources: [NO_SUCH] }],
      ['unknownKey', { unknownKey: 1 }],
    ])('should refuse a body with a bad %s (400 naming it) and store nothing', async (field, over) => {
      const body = { groupName: 'g', discoveryPolicy: 'list', ...over };
      const res = await http().post('/api/groups').set(as(admin)).send(body).expect(400);
      expect(res.body.message).toContain(field);
      expect(await connection.collection(GROUPS).countDocuments()).toBe(0);
    });

    it('should name the unknown users and sources', async () => {
      const s1 = await createSource('s1');
      const users = await http()
        .post('/api/groups')
        .set(as(admin))
        .send({ groupName: 'g', discoveryPolicy: 'list', assignedUsers: [userId, 'ghost'] })
        .expect(400);
      expect(users.body).toMatchObject({
        code: 'GROUP_INVALID',
        message: 'assignedUsers: unknown user IDs: ghost',
        details: { field: 'assignedUsers', unknown: ['ghost'] },
      });
      const sources = await http()
        .post('/api/groups')
        .set(as(admin))
        .send({ groupName: 'g', discoveryPolicy: 'list', assignedSources: [s1, NO_SUCH] })
        .expect(400);
      expect(sources.body).toMatchObject({
        code: 'GROUP_INVALID',
        details: { field: 'assignedSources', unknown: [NO_SUCH] },
      });
      expect(sources.body.message).toContain(NO_SUCH);
      expect(await connection.collection(GROUPS).countDocuments()).toBe(0);
    });

    it('should update any subset of the fields, checking what it is given', async () => {
      const s1 = await createSource('s1');
      const s2 = await createSource('s2');
      const groupId = await createGroup({ groupName: 'g', discoveryPolicy: 'boolean', assignedSources: [s1] });
      await http()
        .patch(`/api/groups/${groupId}`)
        .set(as(admin))
        .send({ discoveryPolicy: 'list', assignedUsers: [userId], groupDescription: 'Our clinicians' })
        .expect(200, { status: 'Success' });
      expect(await storedGroups()).toEqual([
        {
          groupId,
          groupName: 'g',
          groupDescription: 'Our clinicians',
          networkId: 'local',
          discoveryPolicy: 'list',
          assignedUsers: [userId],
          assignedSources: [s1],
        },
      ]);
      for (const [field, body] of [
        ['assignedSources', { assignedSources: [s2, NO_SUCH] }],
        ['assignedUsers', { assignedUsers: ['ghost'] }],
        ['discoveryPolicy', { discoveryPolicy: 'all' }],
        ['networkId', { networkId: 'elsewhere' }],
        ['groupName', { groupName: '' }],
        ['groupId', { groupId: NO_SUCH }],
      ] as const) {
        const res = await http().patch(`/api/groups/${groupId}`).set(as(admin)).send(body).expect(400);
        expect(res.body.message).toContain(field);
      }
      await http()
        .patch(`/api/groups/${groupId}`)
        .set(as(admin))
        .send({ assignedSources: [s2] })
        .expect(200);
      expect(await connection.collection(GROUPS).findOne({ groupId })).toMatchObject({
        discoveryPolicy: 'list',
        assignedUsers: [userId],
        assignedSources: [s2],
      });
    });

    it('should answer 404 for an unknown group and 400 for a malformed ID', async () => {
      await http().get(`/api/groups/${NO_SUCH}`).set(as(admin)).expect(404);
      const patch = await http()
        .patch(`/api/groups/${NO_SUCH}`)
        .set(as(admin))
        .send({ discoveryPolicy: 'list' })
        .expect(404);
      expect(patch.body.code).toBe('GROUP_NOT_FOUND');
      await http().delete(`/api/groups/${NO_SUCH}`).set(as(admin)).expect(404);
      await http().get('/api/groups/not-a-uuid').set(as(admin)).expect(400);
      expect(await connection.collection(GROUPS).countDocuments()).toBe(0);
    });

    it('should refuse a second group with the same name (409), on create and on rename', async () => {
      await createGroup({ groupName: 'g1', discoveryPolicy: 'list' });
      const other = await createGroup({ groupName: 'g2', discoveryPolicy: 'list' });
      const res = await http()
        .post('/api/groups')
        .set(as(admin))
        .send({ groupName: 'g1', discoveryPolicy: 'count' })
        .expect(409);
      expect(res.body).toMatchObject({ code: 'GROUP_EXISTS', details: { field: 'groupName' } });
      await http().patch(`/api/groups/${other}`).set(as(admin)).send({ groupName: 'g1' }).expect(409);
      await http().patch(`/api/groups/${other}`).set(as(admin)).send({ groupName: 'g2' }).expect(200);
      expect((await storedGroups()).map((g) => g.groupName).sort()).toEqual(['g1', 'g2']);
    });

    it('should delete a group', async () => {
      const groupId = await createGroup({ groupName: 'g', discoveryPolicy: 'list' });
      const keep = await createGroup({ groupName: 'keep', discoveryPolicy: 'list' });
      await http().delete(`/api/groups/${groupId}`).set(as(admin)).expect(200, { status: 'Success' });
      expect((await storedGroups()).map((g) => g.groupId)).toEqual([keep]);
      await http().get(`/api/groups/${groupId}`).set(as(admin)).expect(404);
    });

    it('should refuse every group route to users without DataManagement (403)', async () => {
      const groupId = await createGroup({ groupName: 'g', discoveryPolicy: 'list' });
      for (const token of [user, serverAdmin]) {
        await http().get('/api/groups/').set(as(token)).expect(403);
        await http().post('/api/groups/').set(as(token)).send({ groupName: 'x', discoveryPolicy: 'list' }).expect(403);
        await http().get(`/api/groups/${groupId}`).set(as(token)).expect(403);
        await http().patch(`/api/groups/${groupId}`).set(as(token)).send({ discoveryPolicy: 'count' }).expect(403);
        await http().delete(`/api/groups/${groupId}`).set(as(token)).expect(403);
      }
      await http().get('/api/groups/').expect(401);
      expect(await storedGroups()).toMatchObject([{ groupName: 'g', discoveryPolicy: 'list' }]);
    });
  });

  describe('access levels and source lists', () => {
    it('should give a user in two groups over the same source the higher policy', async () => {
      const s1 = await createSource('s1');
      const s2 = await createSource('s2');
      await createGroup({
        groupName: 'a',
        discoveryPolicy: 'count',
        assignedUsers: [userId],
        assignedSources: [s1, s2],
      });
      await createGroup({
        groupName: 'b',
        discoveryPolicy: 'detailedList',
        assignedUsers: [userId],
        assignedSources: [s1],
      });
      await createGroup({ groupName: 'c', discoveryPolicy: 'boolean', assignedUsers: [userId], assignedSources: [s2] });
      const access = app.get(AccessService);
      expect(await access.levels(userId)).toEqual(
        new Map([
          [s1, 'detailedList'],
          [s2, 'count'],
        ]),
      );
      expect(await access.levelFor(userId, s1)).toBe('detailedList');
      expect(await access.levelFor(serverAdminId, s1)).toBe('noAccess');
    });

    it('should list to a plain user exactly the sources its groups grant, and every source to an admin', async () => {
      const granted = await createSource('granted');
      const alsoGranted = await createSource('also-granted');
      const blocked = await createSource('blocked');
      await createSource('ungranted');
      await createGroup({
        groupName: 'readers',
        discoveryPolicy: 'boolean',
        assignedUsers: [userId, serverAdminId],
        assignedSources: [granted],
      });
      await createGroup({
        groupName: 'more',
        discoveryPolicy: 'list',
        assignedUsers: [userId],
        assignedSources: [alsoGranted],
      });
      await createGroup({
        groupName: 'none',
        discoveryPolicy: 'noAccess',
        assignedUsers: [userId],
        assignedSources: [blocked],
      });
      // Someone else's group over the blocked source does not help this user.
      await createGroup({
        groupName: 'anon',
        discoveryPolicy: 'count',
        assignedUsers: ['anonymous'],
        assignedSources: [blocked],
      });

      for (const path of ['/query/sources/', '/api/sources', '/api/source']) {
        const res = await http().get(path).set(as(user)).expect(200);
        expect(sourceNames(res.body)).toEqual(['also-granted', 'granted']);
        expect(res.body[0]).toHaveProperty('recordIndex');
      }
      const server = await http().get('/query/sources').set(as(serverAdmin)).expect(200);
      expect(sourceNames(server.body)).toEqual(['granted']);
      const all = ['also-granted', 'blocked', 'granted', 'ungranted'];
      for (const token of [admin, developer]) {
        expect(sourceNames((await http().get('/query/sources').set(as(token)).expect(200)).body)).toEqual(all);
        expect(sourceNames((await http().get('/api/sources/').set(as(token)).expect(200)).body)).toEqual(all);
      }
      await http().get('/query/sources').expect(401);
    });

    it('should forget a deleted source: not listed, not granted, not shown in its groups', async () => {
      const kept = await createSource('kept');
      const gone = await createSource('gone');
      const groupId = await createGroup({
        groupName: 'g',
        discoveryPolicy: 'list',
        assignedUsers: [userId],
        assignedSources: [kept, gone],
      });
      await http().delete(`/api/sources/${gone}`).set(as(admin)).expect(200);
      expect(sourceNames((await http().get('/query/sources').set(as(user)).expect(200)).body)).toEqual(['kept']);
      expect([...(await app.get(AccessService).levels(userId)).keys()]).toEqual([kept]);
      const group = await http().get(`/api/groups/${groupId}`).set(as(admin)).expect(200);
      expect(group.body.assignedSources).toEqual([kept]);
      // Removed from the stored group too: a source created later with the same ID inherits nothing.
      const stored = await connection.collection('network.groups').findOne({ groupId });
      expect(stored!.assignedSources).toEqual([kept]);
    });

    it('should still serve the other source routes beside the lists', async () => {
      const s1 = await createSource('s1');
      await http().get(`/api/sources/${s1}`).set(as(admin)).expect(200);
      await http().get('/api/sources/upload-token').query({ sourceId: s1 }).set(as(admin)).expect(200);
      await http().get(`/api/sources/${s1}`).set(as(user)).expect(403);
    });
  });
});
