import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { stack } from './stack';

type Json = Record<string, any>;

export interface TestAppOptions {
  /** A database of its own for each test file. */
  database: string;
  /** Changes to the stack's instance config for this app. */
  patch?: (cfg: Json) => void;
}

/** Writes the stack's instance config with this test's changes and points INSTANCE_CONFIG_PATH at it. */
export function writeTestConfig(opts: TestAppOptions): string {
  const cfg = JSON.parse(readFileSync(stack.instanceConfigPath, 'utf8')) as Json;
  cfg.MongoDB.Database = opts.database;
  // Built-in similarity unless a test asks for Neo4j mode (its graph must be loaded first).
  cfg.Neo4j = { ...cfg.Neo4j, Enabled: false };
  opts.patch?.(cfg);
  const path = join(mkdtempSync(join(tmpdir(), 'cv3-e2e-')), 'instance_config.json');
  writeFileSync(path, JSON.stringify(cfg, null, 2));
  process.env.INSTANCE_CONFIG_PATH = path;
  return path;
}

/** Boots the real AppModule against the stack, configured exactly as main.ts configures it. */
export async function createTestApp(opts: TestAppOptions): Promise<INestApplication> {
  writeTestConfig(opts);
  const { AppModule } = await import('@/app.module');
  const { configureApp } = await import('@/app.setup');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ bufferLogs: true });
  configureApp(app);
  await app.init();
  return app;
}
