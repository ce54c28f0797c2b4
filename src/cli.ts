import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { InstanceConfigError, loadInstanceConfig } from './config/instance-config.loader';

const USAGE = `usage: node dist/cli.js <command>        (from a checkout: npm run cv3 -- <command>)

bootstrap
First start (as CV3's database manager): stores the Keycloak client secret and a maintenance shared secret in
Vault KV and makes the first developer. Reads the environment:
  KEYCLOAK_CLIENT_SECRET  the confidential client's secret; stored in Vault KV <prefix>/keycloak (optional when
                          it is already there)
  ADMIN_EMAIL             e-mail of the first developer: the realm user with this address (created in Keycloak,
                          with the set-password mail, when missing) becomes an active developer with a transit key
  ADMIN_AFFILIATION       their affiliation (optional)
plus INSTANCE_CONFIG_PATH, VAULT_ROLE_ID and VAULT_SECRET_ID as for the server. Safe to run again; remove the
variables afterwards.

similarity-load
Loads the HPO (HPO.OboPath and HPO.AnnotationsPath, or the files in CV3_HPO_DIR) into Neo4j (the Neo4j section)
for Neo4j mode: terms, IS_A, replacements and the similarity edges with HPO.Measure ≥ 0.2, Neo4j.MaxJobs
transactions at a time. Replaces what the graph held; run it again after changing the HPO files or HPO.Measure.
Reads INSTANCE_CONFIG_PATH only.`;

const COMMANDS = ['bootstrap', 'similarity-load'] as const;
type Command = (typeof COMMANDS)[number];

async function bootstrap(): Promise<void> {
  // Imported late so a config error is reported before Nest starts.
  const { AppModule } = await import('./app.module');
  const { VaultService } = await import('./modules/vault/vault.service');
  const { UsersService } = await import('./modules/users/users.service');
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  try {
    const vault = app.get(VaultService);
    const secret = process.env.KEYCLOAK_CLIENT_SECRET;
    if (secret) {
      await vault.kvWrite('keycloak', { client_secret: secret });
      say('stored the Keycloak client secret in Vault KV');
    } else {
      await vault.kvRead('keycloak').catch(() => {
        throw new Error('no Keycloak client secret in Vault KV: set KEYCLOAK_CLIENT_SECRET');
      });
    }
    const shared = await vault.kvRead<{ secret?: string }>('shared-secret').catch(() => ({ secret: undefined }));
    if (!shared.secret) {
      await vault.kvWrite('shared-secret', { secret: randomBytes(32).toString('hex') });
      say('generated the maintenance shared secret in Vault KV');
    }
    const email = process.env.ADMIN_EMAIL;
    if (email) {
      const result = await app.get(UsersService).bootstrapDeveloper(email, process.env.ADMIN_AFFILIATION ?? '');
      const what = result.created.length > 0 ? `created ${result.created.join(', ')}` : 'already set up';
      say(`developer ${email} (${result.userId}): ${what}`);
    } else {
      say('ADMIN_EMAIL not set: no developer created');
    }
  } finally {
    await app.close();
  }
}

/** Needs no Nest application: only the HPO files, the ontology and Neo4j. */
async function similarityLoad(): Promise<void> {
  const { hpoConfig, neo4jConfig } = await import('./config/configs');
  const { loadOntology } = await import('./modules/similarity/ontology/load');
  const { Neo4jClient } = await import('./modules/similarity/neo4j/neo4j.client');
  const { Neo4jLoader, readOboDataVersion } = await import('./modules/similarity/neo4j/neo4j.loader');
  const hpo = hpoConfig();
  const neo = neo4jConfig();
  if (!hpo.oboPath) {
    throw new Error('no hp.obo: set HPO.OboPath in the instance config, or CV3_HPO_DIR (bin/cv3-stack env)');
  }
  const t0 = performance.now();
  say(`reading ${hpo.oboPath}${hpo.annotationsPath ? ` + ${hpo.annotationsPath}` : ' (intrinsic IC)'}`);
  const [ontology, version] = await Promise.all([
    loadOntology({ oboPath: hpo.oboPath, annotationsPath: hpo.annotationsPath }),
    readOboDataVersion(hpo.oboPath),
  ]);
  say(`${version}: ${ontology.size} current terms (${Math.round(performance.now() - t0)} ms)`);
  if (!neo.enabled) {
    say('note: Neo4j.Enabled is false, so the server will not use this graph until it is set');
  }
  say(`loading into ${neo.uri} (${neo.maxJobs} concurrent transactions, measure ${hpo.measure})`);
  const client = new Neo4jClient(neo, { poolSize: neo.maxJobs + 2 });
  try {
    const r = await new Neo4jLoader(client).load(ontology, {
      measure: hpo.measure,
      version,
      maxJobs: neo.maxJobs,
      progress: say,
    });
    say(
      `done: ${r.terms} terms (${r.obsolete} obsolete), ${r.isA} IS_A, ${r.replacedBy} REPLACED_BY, ` +
        `${r.altIds} alt IDs, ${r.edges} similarity edges in ${r.ms.total} ms ` +
        `(clear ${r.ms.clear} ms, terms ${r.ms.terms} ms, edges ${r.ms.edges} ms)`,
    );
  } finally {
    await client.close();
  }
}

let command: Command = 'bootstrap';

function say(line: string): void {
  process.stdout.write(`cv3 ${command}: ${line}\n`);
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (!COMMANDS.includes(arg as Command)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(arg === undefined || arg === '--help' || arg === 'help' ? 0 : 2);
  }
  command = arg as Command;
  process.env.CV3_PROCESSORS = 'off';
  try {
    loadInstanceConfig();
  } catch (err) {
    if (err instanceof InstanceConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  switch (command) {
    case 'bootstrap':
      await bootstrap();
      break;
    case 'similarity-load':
      await similarityLoad();
      break;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`cv3 ${command} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
