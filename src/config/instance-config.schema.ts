import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumberString,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

/*
 * The schema of `instance_config.json`, with CV3's PascalCase keys. Defaults are CV3's (reference 9.1);
 * a key with a default may be left out of the file, every other key must be there.
 */

const LOG_LEVELS = ['CRITICAL', 'FATAL', 'ERROR', 'WARNING', 'WARN', 'INFO', 'DEBUG', 'TRACE'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export class MongoDBConfig {
  /** Host name or address of the MongoDB server (or of the first member when `URIOptions` names a replica set). */
  @IsString() @IsNotEmpty() Host: string = 'localhost';
  /** Port, as a string as in CV3. */
  @IsNumberString({ no_symbols: true }) Port: string = '27017';
  /** User name; empty when the server has no authentication. */
  @IsString() User: string = '';
  /** Password; empty when the server has no authentication. */
  @IsString() Password: string = '';
  /** Database name. */
  @IsString() @Matches(/^[A-Za-z0-9_-]{1,63}$/) Database: string = 'cafevariome';
  /** Concurrent heavy MongoDB operations per process. */
  @IsInt() @Min(1) @Max(1000) MaxJobs: number = 40;
  /** Extra connection-string options, e.g. `replicaSet=rs0&readPreference=primaryPreferred` (cluster deployments). */
  @IsOptional() @IsString() URIOptions?: string;
}

export class RedisConfig {
  @IsString() @IsNotEmpty() Host: string = 'localhost';
  @IsNumberString({ no_symbols: true }) Port: string = '6379';
  /** Redis Cluster mode: Host/Port name one seed node of the cluster. */
  @IsBoolean() Cluster: boolean = false;
}

export class KeycloakConfig {
  /** The installation's confidential client ID; its secret is read from Vault KV, never from this file. */
  @IsString() @IsNotEmpty() Client: string = 'test_client';
  @IsString() @IsNotEmpty() Realm: string = 'cafe_variome';
  /** Public URL of Keycloak (the token issuer is `<URL>/realms/<Realm>`). */
  @Matches(/^https?:\/\/[^\s]+$/) URL: string = 'http://localhost:8080';
  /** URL the backend uses to reach Keycloak (may differ from the public URL inside a private network). */
  @Matches(/^https?:\/\/[^\s]+$/) BackendURL: string = 'http://localhost:8080';
  /** Redirect URIs of the web front end (callback and silent callback). */
  @IsOptional() @IsArray() @IsString({ each: true }) RedirectURLs?: string[];
  /** CV3's older single-URL spelling; accepted and merged into `RedirectURLs`. */
  @IsOptional() @IsString() RedirectURL?: string;
}

export class VaultConfig {
  @Matches(/^https?:\/\/[^\s]+$/) Host: string = 'http://localhost:8200';
  @Matches(/^[A-Za-z0-9_\-/]+$/) TransitPath: string = 'transit_cv3';
  @Matches(/^[A-Za-z0-9_\-/]+$/) KV2Path: string = 'kv';
  @Matches(/^[A-Za-z0-9_\-/]+$/) KV2Prefix: string = 'cv3';
}

export class Neo4jConfig {
  @IsBoolean() Enabled: boolean = false;
  @ValidateIf((o: Neo4jConfig) => o.Enabled) @Matches(/^(bolt|neo4j)(\+s|\+ssc)?:\/\/[^\s]+$/) URI: string =
    'bolt://localhost:7687';
  @IsString() User: string = 'neo4j';
  @IsString() Password: string = '';
  @IsInt() @Min(1) @Max(64) MaxJobs: number = 4;
}

export class HpoConfig {
  /** `hp.obo` of the HPO release to load. Empty: the file `bin/cv3-stack` fetched (`CV3_HPO_DIR`), when there. */
  @IsString() OboPath: string = '';
  /** `phenotype.hpoa` or `genes_to_phenotype.txt` (annotation counts for information content); empty: intrinsic IC. */
  @IsString() AnnotationsPath: string = '';
  /** Term-to-term measure: CV3's Relevance (Lin × (1 − p(MICA))), or Resnik or Lin. */
  @IsIn(['relevance', 'resnik', 'lin']) Measure: 'relevance' | 'resnik' | 'lin' = 'relevance';
}

export class CorsConfig {
  @IsArray() @IsString({ each: true }) AllowOrigin: string[] = ['*'];
  @IsArray()
  @IsIn(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'], { each: true })
  AllowMethods: string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  @IsArray() @IsString({ each: true }) AllowHeaders: string[] = [
    'Content-Type',
    'Authorization',
    'Network-Id',
    'X-Upload-Token',
  ];
}

export class PrometheusConfig {
  @IsBoolean() Enabled: boolean = false;
  @Matches(/^\/[A-Za-z0-9_\-/]*$/) Path: string = '/metrics';
  /** When set, scrapers must send `Authorization: Bearer <Key>`. */
  @IsString() Key: string = '';
}

export class MetricsConfig {
  @ValidateNested() @Type(() => PrometheusConfig) Prometheus: PrometheusConfig = new PrometheusConfig();
}

export class EmailFromConfig {
  @IsString() @IsNotEmpty() Address: string = 'admin@cafevariome.org';
  @IsString() Name: string = 'Cafe Variome Admin';
}

export class SmtpAuthConfig {
  @IsBoolean() Required: boolean = false;
  @IsString() Username: string = '';
  @IsString() Password: string = '';
}

export class SmtpConfig {
  @IsString() @IsNotEmpty() Host: string = 'localhost';
  @IsInt() @Min(1) @Max(65535) Port: number = 25;
  @ValidateNested() @Type(() => SmtpAuthConfig) Authentication: SmtpAuthConfig = new SmtpAuthConfig();
}

export class EmailConfig {
  @ValidateNested() @Type(() => EmailFromConfig) From: EmailFromConfig = new EmailFromConfig();
  @IsString() Sender: string = 'noreply@cafevariome.org';
  @ValidateNested() @Type(() => SmtpConfig) SMTP: SmtpConfig = new SmtpConfig();
}

export class OpenApiConfig {
  @IsBoolean() Enabled: boolean = false;
}

export class NexusModeConfig {
  @IsBoolean() Enabled: boolean = false;
  @IsBoolean() AccessTokenEnabled: boolean = true;
}

export class LegacyConfig {
  @ValidateNested() @Type(() => NexusModeConfig) NexusMode: NexusModeConfig = new NexusModeConfig();
  @IsBoolean() Query: boolean = true;
}

export class SplunkHecConfig {
  @IsBoolean() Enabled: boolean = false;
  @ValidateIf((o: SplunkHecConfig) => o.Enabled) @Matches(/^https?:\/\/[^\s]+$/) HecEndpoint: string = '';
  @ValidateIf((o: SplunkHecConfig) => o.Enabled) @IsString() @IsNotEmpty() Token: string = '';
}

export class LokiAuthConfig {
  @IsBoolean() Enabled: boolean = false;
  @IsString() Username: string = '';
  @IsString() Password: string = '';
}

export class LokiConfig {
  @IsBoolean() Enabled: boolean = false;
  @ValidateIf((o: LokiConfig) => o.Enabled) @Matches(/^https?:\/\/[^\s]+$/) Endpoint: string = '';
  @IsObject() Tags: Record<string, string> = {};
  @ValidateNested() @Type(() => LokiAuthConfig) Auth: LokiAuthConfig = new LokiAuthConfig();
}

export class LoggingConfig {
  @IsString() @IsNotEmpty() Name: string = 'Cafe Variome V3';
  @IsIn(LOG_LEVELS) Level: LogLevelName = 'INFO';
  @IsInt() @Min(0) MaxBytes: number = 10485760;
  @IsInt() @Min(0) BackupCount: number = 20;
  @ValidateNested() @Type(() => SplunkHecConfig) SplunkHEC: SplunkHecConfig = new SplunkHecConfig();
  @ValidateNested() @Type(() => LokiConfig) Loki: LokiConfig = new LokiConfig();
}

export class DataConfig {
  @IsString() @IsNotEmpty() UploadPath: string = 'data_source/';
  @IsArray() @IsIn(['vcf', 'vcf.gz', 'csv'], { each: true }) ValidFileFormats: string[] = ['vcf', 'csv'];
  /** Upload chunk size in bytes. */
  @IsInt() @Min(1) ChunkSize: number = 1024;
}

export class QueryConfig {
  /** Days a record query and its responses are kept (the history); older ones are deleted by an hourly job. */
  @IsInt() @Min(1) @Max(3650) RetentionDays: number = 30;
  /** Seconds a record query may run: sources that have not answered by then are given up on. */
  @IsInt() @Min(5) @Max(3600) TimeoutSeconds: number = 120;
}

export class InstanceConfig {
  // The services the backend cannot run without: their sections must be in the file.
  @IsDefined() @ValidateNested() @Type(() => MongoDBConfig) MongoDB: MongoDBConfig;
  @IsDefined() @ValidateNested() @Type(() => RedisConfig) Redis: RedisConfig;
  @IsDefined() @ValidateNested() @Type(() => KeycloakConfig) Keycloak: KeycloakConfig;
  @IsDefined() @ValidateNested() @Type(() => VaultConfig) Vault: VaultConfig;
  @ValidateNested() @Type(() => Neo4jConfig) Neo4j: Neo4jConfig = new Neo4jConfig();
  @ValidateNested() @Type(() => HpoConfig) HPO: HpoConfig = new HpoConfig();
  @ValidateNested() @Type(() => CorsConfig) CORS: CorsConfig = new CorsConfig();
  @ValidateNested() @Type(() => MetricsConfig) Metrics: MetricsConfig = new MetricsConfig();
  @ValidateNested() @Type(() => EmailConfig) Email: EmailConfig = new EmailConfig();
  @ValidateNested() @Type(() => OpenApiConfig) OpenAPI: OpenApiConfig = new OpenApiConfig();
  @ValidateNested() @Type(() => LegacyConfig) Legacy: LegacyConfig = new LegacyConfig();
  @ValidateNested() @Type(() => LoggingConfig) Logging: LoggingConfig = new LoggingConfig();
  @ValidateNested() @Type(() => DataConfig) Data: DataConfig = new DataConfig();
  @ValidateNested() @Type(() => QueryConfig) Query: QueryConfig = new QueryConfig();
}
