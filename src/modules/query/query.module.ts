import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DataModule } from '@/modules/data/data.module';
import { SettingsModule } from '@/modules/settings/settings.module';
import { SimilarityModule } from '@/modules/similarity/similarity.module';
import { UsersModule } from '@/modules/users/users.module';
import { LocalResponder } from './execution/local.responder';
import { QUERY_RESPONDERS } from './execution/responder';
import { GroupsModule } from './groups/groups.module';
import { QueryMetrics } from './query.metrics';
import { QueriesRepository } from './record/queries.repository';
import { RecordAccess } from './record/record.access';
import { RecordController } from './record/record.controller';
import { RecordQueryEvents } from './record/record.events';
import { RecordQueryProcessor } from './record/record.processor';
import { RECORD_QUERY_QUEUE } from './record/record.queue';
import { RecordQueryService } from './record/record-query.service';

/** Record queries (the read path): submission, the job that sends them to every responder, storage, history. */
@Module({
  imports: [
    BullModule.registerQueue({ name: RECORD_QUERY_QUEUE }),
    DataModule,
    GroupsModule,
    SimilarityModule,
    SettingsModule,
    UsersModule,
  ],
  controllers: [RecordController],
  providers: [
    QueryMetrics,
    LocalResponder,
    // Every responder a query is sent to: this installation's sources (later also one per network node).
    { provide: QUERY_RESPONDERS, useFactory: (local: LocalResponder) => [local], inject: [LocalResponder] },
    QueriesRepository,
    RecordAccess,
    RecordQueryEvents,
    RecordQueryService,
    RecordQueryProcessor,
  ],
})
export class QueryModule {}
