import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTestConfig } from './setup/app';
import { ensureBuilt, ROOT } from './setup/build';

const SCRIPT = join(ROOT, 'bin/CafeVariome3.sh');

interface Run {
  code: number | null;
  out: string;
}

/** Runs the script to completion; the daemon it starts must not keep our pipes open, or this would hang. */
function cv3(args: string[], env: NodeJS.ProcessEnv): Run {
  const r = spawnSync('bash', [SCRIPT, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

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

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      done(true);
    });
    sock.once('error', () => done(false));
  });
}

/** One request on its own connection (no keep-alive), so an idle socket never delays the app's shutdown. */
function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', fail);
    req.end();
  });
}

/** Alive and not a zombie (a daemon's exit is reaped by whoever adopted it, maybe later). */
function isAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

function readPid(file: string): number {
  return Number(readFileSync(file, 'utf8').trim());
}

async function waitFor(pred: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A settings set of its own: temp pid and log files, a free port, the repo as the app. */
function settings(dir: string, port: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  mkdirSync(dir, { recursive: true });
  return {
    ...process.env,
    CV3_APP_PATH: ROOT,
    CV3_BIND: `127.0.0.1:${port}`,
    CV3_PIDFILE: join(dir, 'cv3.pid'),
    CV3_LOGFILE: join(dir, 'cv3.log'),
    CV3_ACCESS_LOG_FILE: join(dir, 'access.log'),
    CV3_ERROR_LOG_FILE: join(dir, 'error.log'),
    CV3_GRACEFUL_TIMEOUT: '30',
    // Request lines are logged at info.
    CV3_LOG_LEVEL: 'info',
    ...extra,
  };
}

describe('CafeVariome3.sh', () => {
  let tmp: string;
  const envs: NodeJS.ProcessEnv[] = [];
  const children: ChildProcess[] = [];

  beforeAll(() => {
    ensureBuilt();
    writeTestConfig({ database: 'cv3_e2e_process_manager' });
    tmp = realpathSync(mkdtempSync(join(tmpdir(), 'cv3-pm-')));
  }, 240_000);

  afterAll(() => {
    for (const env of envs) {
      cv3(['stop'], { ...env, CV3_GRACEFUL_TIMEOUT: '5' });
    }
    for (const child of children) {
      child.kill('SIGKILL');
    }
  });

  describe('with the real backend', () => {
    let env: NodeJS.ProcessEnv;
    let port: number;
    let pid: number;

    beforeAll(async () => {
      port = await freePort();
      env = settings(join(tmp, 'real'), port);
      envs.push(env);
    });

    it('should start the backend as a daemon listening on CV3_BIND', async () => {
      const r = cv3(['start'], env);

      expect(r.code).toBe(0);
      pid = readPid(env.CV3_PIDFILE as string);
      expect(r.out).toContain(`started (pid ${pid})`);
      expect(isAlive(pid)).toBe(true);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('dist/main.js');
      expect(realpathSync(`/proc/${pid}/cwd`)).toBe(realpathSync(ROOT));
      const live = await httpGet(port, '/health/live');
      expect(live.status).toBe(200);
      expect(JSON.parse(live.body)).toMatchObject({ status: 'ok' });
    });

    it('should report it running with exit code 0', () => {
      const r = cv3(['status'], env);

      expect(r.code).toBe(0);
      expect(r.out).toContain(`running (pid ${pid}`);
    });

    it('should refuse to start a second copy', async () => {
      const r = cv3(['start'], env);

      expect(r.code).not.toBe(0);
      expect(r.out).toContain(`already running (pid ${pid}`);
      expect(readPid(env.CV3_PIDFILE as string)).toBe(pid);
      expect((await httpGet(port, '/health/live')).status).toBe(200);
    });

    it('should write request lines to the access log and app lines to the log', async () => {
      const path = `/no-such-route-${Date.now()}`;
      expect((await httpGet(port, path)).status).toBe(404);

      const access = env.CV3_ACCESS_LOG_FILE as string;
      await waitFor(() => existsSync(access) && readFileSync(access, 'utf8').includes(path));
      const line = readFileSync(access, 'utf8')
        .split('\n')
        .find((l) => l.includes(path));
      expect(JSON.parse(line as string)).toMatchObject({ req: { method: 'GET', url: path }, res: { statusCode: 404 } });
      const log = readFileSync(env.CV3_LOGFILE as string, 'utf8');
      expect(log).toContain('Nest application successfully started');
      expect(log).not.toContain(path);
    });

    it('should stop it within the graceful timeout, free the port and remove the pid file', async () => {
      const started = Date.now();
      const r = cv3(['stop'], env);

      expect(r.code).toBe(0);
      expect(r.out).not.toContain('SIGKILL');
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(isAlive(pid)).toBe(false);
      expect(existsSync(env.CV3_PIDFILE as string)).toBe(false);
      expect(await portOpen(port)).toBe(false);
    });

    it('should report it not running with exit code 3', () => {
      const r = cv3(['status'], env);

      expect(r.code).toBe(3);
      expect(r.out).toContain('not running');
    });

    it('should do nothing and succeed when stopped while not running', () => {
      const r = cv3(['stop'], env);

      expect(r.code).toBe(0);
      expect(r.out).toContain('not running');
    });

    it('should report a stale pid file as dead and start anyway', async () => {
      const dead = spawnSync('true').pid;
      writeFileSync(env.CV3_PIDFILE as string, `${dead}\n`);

      expect(cv3(['status'], env).code).toBe(1);
      const r = cv3(['start'], env);
      expect(r.code).toBe(0);
      expect(r.out).toContain('stale pid file');
      pid = readPid(env.CV3_PIDFILE as string);
      expect(pid).not.toBe(dead);
      expect((await httpGet(port, '/health/live')).status).toBe(200);
    });

    it('should restart it as a new process on the same address', async () => {
      const r = cv3(['restart'], env);

      expect(r.code).toBe(0);
      const next = readPid(env.CV3_PIDFILE as string);
      expect(next).not.toBe(pid);
      expect(isAlive(pid)).toBe(false);
      expect(isAlive(next)).toBe(true);
      expect((await httpGet(port, '/health/live')).status).toBe(200);
      pid = next;
      expect(cv3(['stop'], env).code).toBe(0);
      expect(await portOpen(port)).toBe(false);
    });

    it('should report a failed start with the tail of the error log', () => {
      const r = cv3(['start'], { ...env, INSTANCE_CONFIG_PATH: join(tmp, 'missing.json') });

      expect(r.code).toBe(1);
      expect(r.out).toContain('failed to start');
      expect(r.out).toContain('missing.json');
      expect(r.out).toContain('cannot be read (ENOENT)');
      expect(existsSync(env.CV3_PIDFILE as string)).toBe(false);
    });
  });

  describe('with other processes', () => {
    it('should treat a pid file naming a foreign live process as stale and never signal it', async () => {
      const env = settings(join(tmp, 'foreign'), await freePort());
      const foreign = spawn('sleep', ['60']);
      children.push(foreign);
      writeFileSync(env.CV3_PIDFILE as string, `${foreign.pid}\n`);

      expect(cv3(['status'], env).code).toBe(1);
      const r = cv3(['stop'], env);
      expect(r.code).toBe(0);
      expect(r.out).toContain('stale pid file');
      expect(isAlive(foreign.pid as number)).toBe(true);
      expect(existsSync(env.CV3_PIDFILE as string)).toBe(false);
    });

    it('should SIGKILL a process that ignores SIGTERM after CV3_GRACEFUL_TIMEOUT', async () => {
      // A stand-in app that listens on CV3_BIND and ignores SIGTERM.
      const app = join(tmp, 'stubborn');
      mkdirSync(join(app, 'dist'), { recursive: true });
      writeFileSync(
        join(app, 'dist/main.js'),
        [
          "process.on('SIGTERM', () => console.log('ignoring SIGTERM'));",
          "const [host, port] = process.env.CV3_BIND.split(':');",
          "require('node:http').createServer((_q, s) => s.end('ok')).listen(Number(port), host);",
        ].join('\n'),
      );
      const port = await freePort();
      const env = settings(join(app, 'run'), port, { CV3_APP_PATH: app, CV3_GRACEFUL_TIMEOUT: '1' });
      envs.push(env);
      expect(cv3(['start'], env).code).toBe(0);
      const pid = readPid(env.CV3_PIDFILE as string);

      const started = Date.now();
      const r = cv3(['stop'], env);

      expect(r.code).toBe(0);
      expect(r.out).toContain('SIGKILL');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(isAlive(pid)).toBe(false);
      expect(await portOpen(port)).toBe(false);
      expect(existsSync(env.CV3_PIDFILE as string)).toBe(false);
      await waitFor(() => readFileSync(env.CV3_LOGFILE as string, 'utf8').includes('ignoring SIGTERM'));
    });
  });

  describe('install', () => {
    it('should put the script on PATH and write its settings to the bashrc once across two installs', () => {
      const dir = join(tmp, 'install/nested/bin');
      const bashrc = join(tmp, 'bashrc');
      writeFileSync(bashrc, "alias ll='ls -l'\n");
      const env = { ...process.env, CV3_APP_PATH: ROOT, CV3_BASHRC: bashrc };

      expect(cv3(['install', dir], env).code).toBe(0);
      expect(cv3(['install', dir], env).code).toBe(0);

      const lines = readFileSync(bashrc, 'utf8').split('\n');
      expect(lines.filter((l) => l === "alias ll='ls -l'")).toHaveLength(1);
      expect(lines.filter((l) => l.startsWith('export PATH='))).toEqual([`export PATH=${dir}:"$PATH"`]);
      expect(lines.filter((l) => l.startsWith('export CV3_APP_PATH='))).toEqual([`export CV3_APP_PATH=${ROOT}`]);
      expect(lstatSync(join(dir, 'CafeVariome3')).isSymbolicLink()).toBe(true);
      expect(realpathSync(join(dir, 'CafeVariome3'))).toBe(realpathSync(SCRIPT));

      // A new shell that sources the bashrc finds the command and the app.
      const shell = spawnSync(
        'bash',
        ['-c', `source "$1" && command -v CafeVariome3 && echo "$CV3_APP_PATH" && CafeVariome3 status`, '_', bashrc],
        {
          encoding: 'utf8',
          env: { PATH: '/usr/bin:/bin', HOME: tmp, CV3_PIDFILE: join(tmp, 'install/none.pid') },
        },
      );
      expect(shell.stdout.split('\n').slice(0, 2)).toEqual([join(dir, 'CafeVariome3'), ROOT]);
      expect(shell.status).toBe(3);
    });
  });
});
