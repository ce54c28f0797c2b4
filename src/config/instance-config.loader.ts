import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { InstanceConfig } from './instance-config.schema';

export const DEFAULT_INSTANCE_CONFIG_PATH = './instance_config.json';

export class InstanceConfigError extends Error {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`invalid instance config ${path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InstanceConfigError';
  }
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const key = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((msg) =>
      e.constraints?.whitelistValidation === msg ? `${key}: unknown key` : `${key}: ${msg}`,
    );
    return [...own, ...flatten(e.children ?? [], key)];
  });
}

/** Parses and validates one config document; every problem is reported at once. */
export function parseInstanceConfig(raw: unknown, path = '<inline>'): Readonly<InstanceConfig> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InstanceConfigError(path, ['(root): must be a JSON object']);
  }
  const cfg = plainToInstance(InstanceConfig, raw, { enableImplicitConversion: false, exposeDefaultValues: true });
  const problems = flatten(validateSync(cfg, { whitelist: true, forbidNonWhitelisted: true }));
  if (problems.length > 0) {
    throw new InstanceConfigError(path, problems);
  }
  const redirect = cfg.Keycloak.RedirectURL;
  if (redirect && !cfg.Keycloak.RedirectURLs?.includes(redirect)) {
    cfg.Keycloak.RedirectURLs = [...(cfg.Keycloak.RedirectURLs ?? []), redirect];
  }
  return deepFreeze(cfg);
}

/** Reads the file named by INSTANCE_CONFIG_PATH (default ./instance_config.json). */
export function readInstanceConfig(path = process.env.INSTANCE_CONFIG_PATH ?? DEFAULT_INSTANCE_CONFIG_PATH) {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InstanceConfigError(abs, [`(file): cannot be read (${code})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InstanceConfigError(abs, [`(file): invalid JSON (${(err as Error).message})`]);
  }
  return parseInstanceConfig(raw, abs);
}

const cache = new Map<string, Readonly<InstanceConfig>>();

/** The validated config of this process, read once per path and cached. */
export function loadInstanceConfig(): Readonly<InstanceConfig> {
  const path = resolve(process.env.INSTANCE_CONFIG_PATH ?? DEFAULT_INSTANCE_CONFIG_PATH);
  let cfg = cache.get(path);
  if (!cfg) {
    cfg = readInstanceConfig(path);
    cache.set(path, cfg);
  }
  return cfg;
}

function deepFreeze<T>(obj: T): T {
  if (obj && typeof obj === 'object') {
    for (const value of Object.values(obj)) {
      deepFreeze(value);
    }
    Object.freeze(obj);
  }
  return obj;
}
