import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { VaultModule } from '@/modules/vault/vault.module';
import { DataFilesController } from './data-files.controller';
import { DataFilesRepository } from './data-files.repository';
import { DataFilesService } from './data-files.service';
import { PipelinesController } from './pipelines.controller';
import { PipelinesRepository } from './pipelines.repository';
import { PipelinesService } from './pipelines.service';
import { SourcesController } from './sources.controller';
import { SourcesRepository } from './sources.repository';
import { SourcesService } from './sources.service';
import { UploadTokenService } from './upload/upload-token.service';
import { UploadService } from './upload/upload.service';
import { DATA_QUEUE } from './jobs/data.queue';
import { DataJobsService } from './jobs/data-jobs.service';
import { DataProcessor } from './jobs/data.processor';
import { JobsController } from './jobs/jobs.controller';
import { MongoLimiter } from './jobs/mongo-limiter';
import { IndexService } from './subjects/index.service';
import { SubjectWriter } from './subjects/subject-writer';
import { SubjectsRepository } from './subjects/subjects.repository';

/** Sources, uploads, data files, pipelines, and their ingestion into subjects (the write path). */
@Module({
  imports: [VaultModule, BullModule.registerQueue({ name: DATA_QUEUE })],
  controllers: [SourcesController, DataFilesController, PipelinesController, JobsController],
  providers: [
    SourcesRepository,
    SourcesService,
    DataFilesRepository,
    DataFilesService,
    PipelinesRepository,
    PipelinesService,
    UploadTokenService,
    UploadService,
    MongoLimiter,
    SubjectsRepository,
    SubjectWriter,
    IndexService,
    DataJobsService,
    DataProcessor,
  ],
  exports: [SourcesService, DataFilesService, PipelinesService, SubjectsRepository, MongoLimiter],
})
export class DataModule {}
