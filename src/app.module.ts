import { BullModule } from '@nestjs/bullmq';
import { Module, ValidationPipe } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { allConfigs, mongoConfig, redisConfig } from '@/config/configs';
import { AllExceptionsFilter } from '@/common/errors/all-exceptions.filter';
import { HealthModule } from '@/common/health/health.module';
import { LoggingModule } from '@/common/logging/logging.module';
import { DEFAULT_JOB_OPTIONS, queuePrefix } from '@/common/queue/queue.options';
import { createRedisConnection } from '@/common/queue/redis.connection';
import { AuthModule } from '@/modules/auth/auth.module';
import { DataModule } from '@/modules/data/data.module';
import { InfoModule } from '@/modules/info/info.module';
import { MetricsModule } from '@/modules/metrics/metrics.module';
import { NotifyModule } from '@/modules/notify/notify.module';
import { GroupsModule } from '@/modules/query/groups/groups.module';
import { QueryModule } from '@/modules/query/query.module';
import { SettingsModule } from '@/modules/settings/settings.module';
import { SimilarityModule } from '@/modules/similarity/similarity.module';
import { VaultModule } from '@/modules/vault/vault.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: allConfigs }),
    LoggingModule,
    MongooseModule.forRootAsync({
      inject: [mongoConfig.KEY],
      useFactory: (cfg: ConfigType<typeof mongoConfig>) => ({
        uri: cfg.uri,
        // Indexes are created by each repository at start, so a failure (FerretDB lacks some kinds) is handled.
        autoIndex: false,
        autoCreate: false,
        serverSelectionTimeoutMS: 5000,
        connectTimeoutMS: 5000,
        socketTimeoutMS: 60_000,
        maxPoolSize: Math.max(10, cfg.maxJobs + 5),
      }),
    }),
    BullModule.forRootAsync({
      inject: [redisConfig.KEY, mongoConfig.KEY],
      useFactory: (cfg: ConfigType<typeof redisConfig>, mongo: ConfigType<typeof mongoConfig>) => ({
        // BullMQ workers need maxRetriesPerRequest: null (blocking commands must not fail while reconnecting).
        // Given options (not a client), BullMQ owns its connections and closes them on shutdown; a cluster
        // client has to be passed as an instance.
        connection: cfg.cluster
          ? createRedisConnection(cfg, { maxRetriesPerRequest: null, connectTimeout: 5000 })
          : { host: cfg.host, port: cfg.port, maxRetriesPerRequest: null, connectTimeout: 5000 },
        prefix: queuePrefix(mongo.database),
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    MetricsModule,
    HealthModule,
    InfoModule,
    VaultModule,
    AuthModule,
    NotifyModule,
    SettingsModule,
    DataModule,
    GroupsModule,
    SimilarityModule,
    QueryModule,
  ],
  providers: [
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
  ],
})
export class AppModule {}
