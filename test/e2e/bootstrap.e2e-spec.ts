import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { type Connection, createConnection } from 'mongoose';
import { writeTestConfig } from './setup/app';
import { ROOT } from './setup/build';
import { deleteRealmUser, deleteTransitKey, findRealmUserByEmail, transitKey } from './setup/keycloak-admin';
import { stack, waitForMail } from './setup/stack';

const run = promisify(execFile);
const DB = 'cv3_e2e_bootstrap';

/** The first-start command, run as an operator would (`npm run cv3 -- bootstrap`), against the real stack. */
describe('First start (cv3 bootstrap)', () => {
  const email = `first-admin-${randomUUID().slice(0, 8)}@example.org`;
  let mongo: Connection;
  let env: NodeJS.ProcessEnv;
  let userId: string | undefined;

  beforeAll(async () => {
    env = { ...process.env, INSTANCE_CONFIG_PATH: writeTestConfig({ database: DB }), ADMIN_EMAIL: email };
    delete env.KEYCLOAK_CLIENT_SECRET;
    mongo = await createConnection(`${stack.mongoUrl}/${DB}`).asPromise();
  });

  afterAll(async () => {
    if (userId) {
      await deleteTransitKey(userId).catch(() => undefined);
      await deleteRealmUser(userId).catch(() => undefined);
    }
    await mongo?.dropDatabase();
    await mongo?.close();
  });

  const bootstrap = () =>
    run('npm', ['run', '-s', 'cv3', '--', 'bootstrap'], { cwd: ROOT, env, timeout: 120_000 }).then((r) => r.stdout);

  it('should create the first developer in Keycloak and locally, with a transit key and the set-password mail', async () => {
    const out = await bootstrap();
    expect(out).toContain('created keycloak account, local user, transit key');

    const account = await findRealmUserByEmail(email);
    expect(account).toBeDefined();
    userId = account!.id;
    const row = await mongo.collection('user.info').findOne({ userId });
    expect(row).toMatchObject({ email, role: 'developer', active: true, allowLogin: true });
    expect(await transitKey(userId)).toMatchObject({ type: 'rsa-4096', deletion_allowed: true });
    const mail = await waitForMail((m) => m.envelope.rcpt_tos.includes(email));
    expect(mail.raw).toMatch(/Update Password|update your password|Set password|execute-actions/i);
  });

  it('should change nothing when run again', async () => {
    expect(await bootstrap()).toContain('already set up');
    expect(await mongo.collection('user.info').countDocuments({ email })).toBe(1);
  });

  it('should refuse to start with an invalid config and name the key', async () => {
    const bad = { ...env, INSTANCE_CONFIG_PATH: '/nonexistent/instance_config.json' };
    await expect(
      run('npm', ['run', '-s', 'cv3', '--', 'bootstrap'], { cwd: ROOT, env: bad, timeout: 60_000 }),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('(file): cannot be read (ENOENT)') });
  });
});
