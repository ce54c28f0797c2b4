import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { UsersService } from '@/modules/users/users.service';
import { UserConflictError } from '@/modules/users/users.errors';
import type { User } from '@/modules/users/schemas/user.schema';
import { createTestApp } from './setup/app';

const DB = 'cv3_e2e_mongo';

function aUser(overrides: Partial<User> = {}): User {
  return {
    userId: '6f1c1c9e-0000-4000-8000-000000000001',
    email: 'Ada.Lovelace@Example.org',
    username: 'ada',
    firstName: 'Ada',
    lastName: 'Lovelace',
    affiliation: 'Analytical Engines',
    role: 'dataAdmin',
    active: true,
    allowLogin: false,
    budget: 100,
    ...overrides,
  };
}

describe('MongoDB through mongoose (FerretDB)', () => {
  let app: INestApplication;
  let users: UsersService;
  let connection: Connection;

  beforeAll(async () => {
    app = await createTestApp({ database: DB });
    users = app.get(UsersService);
    connection = app.get<Connection>(getConnectionToken());
  });

  afterEach(async () => {
    await connection.collection('user.info').deleteMany({});
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await app?.close();
  });

  it('should round-trip a user document and store it in user.info', async () => {
    await users.create(aUser());
    const stored = await connection.db!.collection('user.info').findOne({ userId: aUser().userId });
    expect(stored).toMatchObject({ username: 'ada', email: 'ada.lovelace@example.org', role: 'dataAdmin' });
    expect(stored!.createdAt).toBeInstanceOf(Date);
    const read = await users.findByUserId(aUser().userId);
    expect(read).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', active: true, budget: 100 });
  });

  it('should create the unique indexes on the server', async () => {
    const indexes = await connection.db!.collection('user.info').indexes();
    const unique = indexes.filter((i) => i.unique).map((i) => Object.keys(i.key).join(','));
    expect(unique).toEqual(expect.arrayContaining(['userId', 'email']));
  });

  it('should reject a duplicate userId through the unique index and keep one document', async () => {
    await users.create(aUser());
    await expect(users.create(aUser({ email: 'other@example.org' }))).rejects.toBeInstanceOf(UserConflictError);
    expect(await connection.db!.collection('user.info').countDocuments({ userId: aUser().userId })).toBe(1);
  });

  it('should reject a duplicate email regardless of case', async () => {
    await users.create(aUser());
    await expect(
      users.create(aUser({ userId: '6f1c1c9e-0000-4000-8000-000000000002', email: 'ADA.LOVELACE@example.org' })),
    ).rejects.toBeInstanceOf(UserConflictError);
  });
});
