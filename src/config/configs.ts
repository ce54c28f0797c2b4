import { registerAs } from '@nestjs/config';
import { loadInstanceConfig } from './instance-config.loader';

/*
 * One typed namespace per config section, camelCased. Inject with
 *   constructor(@Inject(vaultConfig.KEY) private readonly cfg: ConfigType<typeof vaultConfig>) {}
 */

export const mongoConfig = registerAs('mongo', () => {
  const c = loadInstanceConfig().MongoDB;
  const auth = c.User ? `${encodeURIComponent(c.User)}:${encodeURIComponent(c.Password)}@` : '';
  const options = c.URIOptions ? `?${c.URIOptions}` : '';
  return {
    uri: `mongodb://${auth}${c.Host}:${c.Port}/${c.Database}${options}`,
    database: c.Database,
    maxJobs: c.MaxJobs,
  };
});

export const redisConfig = registerAs('redis', () => {
  const c = loadInstanceConfig().Redis;
  return { host: c.Host, port: Number(c.Port), cluster: c.Cluster };
});

export const keycloakConfig = registerAs('keycloak', () => {
  const c = loadInstanceConfig().Keycloak;
  const trim = (u: string) => u.replace(/\/+$/, '');
  return {
    client: c.Client,
    realm: c.Realm,
    url: trim(c.URL),
    backendUrl: trim(c.BackendURL),
    redirectUrls: c.RedirectURLs ?? [],
    /** The `iss` claim of this realm's tokens. */
    issuer: `${trim(c.URL)}/realms/${c.Realm}`,
    /** Where the backend fetches the realm's signing keys. */
    jwksUri: `${trim(c.BackendURL)}/realms/${c.Realm}/protocol/openid-connect/certs`,
  };
});

export const vaultConfig = registerAs('vault', () => {
  const c = loadInstanceConfig().Vault;
  return {
    host: c.Host.replace(/\/+$/, ''),
    transitPath: c.TransitPath,
    kv2Path: c.KV2Path,
    kv2Prefix: c.KV2Prefix,
    roleId: process.env.VAULT_ROLE_ID ?? '',
    secretId: process.env.VAULT_SECRET_ID ?? '',
  };
});

export const emailConfig = registerAs('email', () => {
  const c = loadInstanceConfig().Email;
  return {
    from: { address: c.From.Address, name: c.From.Name },
    sender: c.Sender,
    smtp: {
      host: c.SMTP.Host,
      port: c.SMTP.Port,
      auth: c.SMTP.Authentication.Required
        ? { user: c.SMTP.Authentication.Username, pass: c.SMTP.Authentication.Password }
        : undefined,
    },
  };
});

export const loggingConfig = registerAs('logging', () => {
  const c = loadInstanceConfig().Logging;
  return {
    name: c.Name,
    level: c.Level,
    splunkHec: { enabled: c.SplunkHEC.Enabled, endpoint: c.SplunkHEC.HecEndpoint, token: c.SplunkHEC.Token },
    loki: {
      enabled: c.Loki.Enabled,
      endpoint: c.Loki.Endpoint,
      tags: c.Loki.Tags,
      auth: c.Loki.Auth.Enabled ? { username: c.Loki.Auth.Username, password: c.Loki.Auth.Password } : undefined,
    },
  };
});

export const httpConfig = registerAs('http', () => {
  const c = loadInstanceConfig();
  return {
    cors: { origins: c.CORS.AllowOrigin, methods: c.CORS.AllowMethods, headers: c.CORS.AllowHeaders },
    openApiEnabled: c.OpenAPI.Enabled,
    metrics: { enabled: c.Metrics.Prometheus.Enabled, path: c.Metrics.Prometheus.Path, key: c.Metrics.Prometheus.Key },
  };
});

export const neo4jConfig = registerAs('neo4j', () => {
  const c = loadInstanceConfig().Neo4j;
  return { enabled: c.Enabled, uri: c.URI, user: c.User, password: c.Password, maxJobs: c.MaxJobs };
});

export const hpoConfig = registerAs('hpo', () => {
  const c = loadInstanceConfig().HPO;
  const dir = process.env.CV3_HPO_DIR;
  return {
    oboPath: c.OboPath || (dir ? `${dir}/hp.obo` : ''),
    annotationsPath: c.AnnotationsPath || (dir && !c.OboPath ? `${dir}/phenotype.hpoa` : ''),
    measure: c.Measure,
  };
});

export const dataConfig = registerAs('data', () => {
  const c = loadInstanceConfig().Data;
  return { uploadPath: c.UploadPath, validFileFormats: c.ValidFileFormats, chunkSize: c.ChunkSize };
});

export const legacyConfig = registerAs('legacy', () => {
  const c = loadInstanceConfig().Legacy;
  return {
    nexusMode: { enabled: c.NexusMode.Enabled, accessTokenEnabled: c.NexusMode.AccessTokenEnabled },
    query: c.Query,
  };
});

export const queryConfig = registerAs('query', () => {
  const c = loadInstanceConfig().Query;
  return { retentionDays: c.RetentionDays, timeoutSeconds: c.TimeoutSeconds };
});

export const allConfigs = [
  mongoConfig,
  redisConfig,
  keycloakConfig,
  vaultConfig,
  emailConfig,
  loggingConfig,
  httpConfig,
  neo4jConfig,
  hpoConfig,
  dataConfig,
  legacyConfig,
  queryConfig,
];
