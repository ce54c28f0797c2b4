import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = realpathSync(resolve(__dirname, '../../..'));

/** The newest mtime of the sources a build compiles. */
function newestSource(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      return Math.max(newest, newestSource(p));
    }
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? Math.max(newest, statSync(p).mtimeMs) : newest;
  }, 0);
}

/** Builds dist/ when it is missing or older than the sources, for tests that run the compiled app. */
export function ensureBuilt(): void {
  const main = join(ROOT, 'dist/main.js');
  if (!existsSync(main) || statSync(main).mtimeMs < newestSource(join(ROOT, 'src'))) {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit', timeout: 180_000 });
  }
}
