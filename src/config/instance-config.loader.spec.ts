import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstanceConfigError, parseInstanceConfig, readInstanceConfig } from './instance-config.loader';

type Json = Record<string, any>;

const example = (): Json =>
  JSON.parse(readFileSync(join(__dirname, '../../instance_config.json.example'), 'utf8')) as Json;

function problemsOf(raw: unknown): string[] {
  try {
    parseInstanceConfig(raw);
  } catch (err) {
    if (err instanceof InstanceConfigError) {
      return err.problems;
    }
    throw err;
  }
  return [];
}

describe('parseInstanceConfig', () => {
  it('should accept the example file', () => {
    const cfg = parseInstanceConfig(example());
    expect(cfg.MongoDB.MaxJobs).toBe(40);
    expect(cfg.Keycloak.RedirectURLs).toHaveLength(2);
  });

  it('should fill CV3 defaults for optional sections', () => {
    const { MongoDB, Redis, Keycloak, Vault } = example();
    const cfg = parseInstanceConfig({ MongoDB, Redis, Keycloak, Vault });
    expect(cfg.Metrics.Prometheus).toMatchObject({ Enabled: false, Path: '/metrics', Key: '' });
    expect(cfg.Logging).toMatchObject({ Name: 'Cafe Variome V3', Level: 'INFO', MaxBytes: 10485760 });
    expect(cfg.Data.ValidFileFormats).toEqual(['vcf', 'csv']);
    expect(cfg.Legacy.NexusMode.AccessTokenEnabled).toBe(true);
  });

  it('should freeze the result', () => {
    const cfg = parseInstanceConfig(example());
    expect(Object.isFrozen(cfg.MongoDB)).toBe(true);
  });

  it('should merge the single RedirectURL spelling into RedirectURLs', () => {
    const raw = example();
    delete raw.Keycloak.RedirectURLs;
    raw.Keycloak.RedirectURL = 'https://cv3.example.org/callback.html';
    expect(parseInstanceConfig(raw).Keycloak.RedirectURLs).toEqual(['https://cv3.example.org/callback.html']);
  });

  it.each<[string, (c: Json) => void, string]>([
    ['a missing required section', (c) => delete c.Vault, 'Vault:'],
    ['a wrong type', (c) => (c.MongoDB.MaxJobs = '40'), 'MongoDB.MaxJobs:'],
    ['an out-of-range value', (c) => (c.MongoDB.MaxJobs = 0), 'MongoDB.MaxJobs:'],
    ['a port that is not a number', (c) => (c.Redis.Port = 'six'), 'Redis.Port:'],
    ['an unknown key', (c) => (c.MongoDB.Hots = 'x'), 'MongoDB.Hots: unknown key'],
    ['an unknown section', (c) => (c.Mongo = {}), 'Mongo: unknown key'],
    ['a bad URL', (c) => (c.Keycloak.URL = 'keycloak:8080'), 'Keycloak.URL:'],
    ['an unknown log level', (c) => (c.Logging.Level = 'LOUD'), 'Logging.Level:'],
    ['an unknown file format', (c) => (c.Data.ValidFileFormats = ['exe']), 'Data.ValidFileFormats:'],
    ['Loki enabled without an endpoint', (c) => (c.Logging.Loki.Enabled = true), 'Logging.Loki.Endpoint:'],
    ['a nested boolean as a string', (c) => (c.Legacy.NexusMode.Enabled = 'yes'), 'Legacy.NexusMode.Enabled:'],
  ])('should reject %s and name the key', (_name, mutate, expected) => {
    const raw = example();
    mutate(raw);
    expect(problemsOf(raw).some((p) => p.startsWith(expected))).toBe(true);
  });

  it('should report every problem at once', () => {
    const raw = example();
    raw.MongoDB.MaxJobs = -1;
    raw.Redis.Cluster = 'no';
    raw.Extra = true;
    const problems = problemsOf(raw);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MongoDB\.MaxJobs:/),
        expect.stringMatching(/^Redis\.Cluster:/),
        'Extra: unknown key',
      ]),
    );
  });

  it('should reject a document that is not an object', () => {
    expect(problemsOf([1, 2])).toEqual(['(root): must be a JSON object']);
  });
});

describe('readInstanceConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cv3-config-'));

  it('should name a missing file', () => {
    expect(() => readInstanceConfig(join(dir, 'nope.json'))).toThrow(/\(file\): cannot be read \(ENOENT\)/);
  });

  it('should name invalid JSON', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{ "MongoDB": ');
    expect(() => readInstanceConfig(path)).toThrow(/\(file\): invalid JSON/);
  });
});
