import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { writeTestConfig } from './setup/app';
import { ensureBuilt, ROOT } from './setup/build';

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => done(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

function get(port: number, path: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.once('end', () => done(res.statusCode ?? 0));
    });
    req.once('error', fail);
    req.end();
  });
}

async function waitListening(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) {
      throw new Error(`app exited with ${child.exitCode} before listening`);
    }
    try {
      if ((await get(port, '/health/live')) === 200) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('app did not listen in time');
}

/** The compiled app (node dist/main.js), as operators run it, stopped with SIGTERM. */
describe('Graceful shutdown', () => {
  let child: ChildProcess;

  beforeAll(() => {
    ensureBuilt();
    writeTestConfig({ database: 'cv3_e2e_shutdown' });
  }, 240_000);

  afterAll(() => {
    if (child?.exitCode === null) {
      child.kill('SIGKILL');
    }
  });

  it('should let in-flight requests finish and exit 0 on SIGTERM', async () => {
    const port = await freePort();
    child = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
      cwd: ROOT,
      env: { ...process.env, CV3_BIND: `127.0.0.1:${port}` },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    await waitListening(port, child);

    // Readiness does real I/O against every service, so these are still running when the signal lands.
    const inFlight = Array.from({ length: 10 }, () => get(port, '/health/ready'));
    child.kill('SIGTERM');

    expect(await Promise.all(inFlight)).toEqual(Array(10).fill(200));
    expect(await exited).toBe(0);
    // And the port is free again.
    await expect(get(port, '/health/live')).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);
});
