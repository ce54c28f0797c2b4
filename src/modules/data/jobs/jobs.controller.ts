import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permission, RequirePermission } from '@/common/auth/permissions';
import { ErrorResponseDto } from '@/common/openapi/error-response.dto';
import { UserAccessToken } from '@/common/openapi/openapi.decorators';
import type { DataFileRecord, EavIndex } from '../data.types';
import { DataFilesService } from '../data-files.service';
import { SourceIdParamDto } from '../dto/common.dto';
import { IndexService } from '../subjects/index.service';
import { DataJob } from './data.queue';
import { DataJobsService } from './data-jobs.service';
import {
  EavIndexResponseDto,
  JobIdParamDto,
  JobStatusDto,
  ListJobsQueryDto,
  RenameEavDto,
  RunPipelineDto,
  RunPipelineResponseDto,
} from './jobs.dto';
import { JobNotFoundError, JobsErrorCode } from './jobs.errors';

function toJobStatus(file: DataFileRecord): JobStatusDto {
  const job = file.job!;
  return {
    jobId: job.jobId,
    dataFileId: file.dataFileId,
    sourceId: file.sourceId,
    kind: job.kind,
    pipelineId: job.pipelineId,
    state: job.state,
    progress: job.progress,
    errors: job.errors,
    queuedAt: job.queuedAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}

/** Ingest and remap of data files (as jobs), the record index, and the jobs' status. */
@ApiTags('data')
@UserAccessToken()
@RequirePermission(Permission.DataManagement)
@Controller(['api', 'query'])
export class JobsController {
  constructor(
    private readonly jobs: DataJobsService,
    private readonly files: DataFilesService,
    private readonly index: IndexService,
  ) {}

  @Post(['sources/:sourceId/ingest', 'source/:sourceId/ingest'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Ingest data files with a file pipeline (one job per file)' })
  @ApiOkResponse({ type: RunPipelineResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A file already has a job in flight' })
  async ingest(@Param() { sourceId }: SourceIdParamDto, @Body() body: RunPipelineDto): Promise<RunPipelineResponseDto> {
    const jobs = await this.jobs.enqueue(DataJob.Ingest, sourceId, body.pipelineID, body.dataFileIDs);
    return { status: 'Success', jobs };
  }

  @Post(['sources/:sourceId/remap', 'source/:sourceId/remap'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Remap ingested CSV files into subjects with a remap pipeline (one job per file)' })
  @ApiOkResponse({ type: RunPipelineResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A file already has a job in flight' })
  async remap(@Param() { sourceId }: SourceIdParamDto, @Body() body: RunPipelineDto): Promise<RunPipelineResponseDto> {
    const jobs = await this.jobs.enqueue(DataJob.Remap, sourceId, body.pipelineID, body.dataFileIDs);
    return { status: 'Success', jobs };
  }

  @Post('sources/:sourceId/index')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rebuild the capability, record count and EAV index of a source' })
  @ApiOkResponse({ description: 'The new record index' })
  async rebuildIndex(@Param() { sourceId }: SourceIdParamDto) {
    return this.index.rebuild(sourceId);
  }

  @Get('sources/:sourceId/eav-index')
  @ApiOperation({ summary: "A source's EAV index" })
  @ApiOkResponse({ type: EavIndexResponseDto })
  eavIndex(@Param() { sourceId }: SourceIdParamDto): Promise<EavIndex> {
    return this.index.eavIndex(sourceId);
  }

  @Patch('sources/:sourceId/eav-index')
  @ApiOperation({ summary: 'Edit display names of the EAV index (attributes and values)' })
  @ApiOkResponse({ type: EavIndexResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  renameEav(@Param() { sourceId }: SourceIdParamDto, @Body() body: RenameEavDto): Promise<EavIndex> {
    return this.index.renameEav(sourceId, body);
  }

  @Get('jobs')
  @ApiOperation({ summary: 'Data jobs (the last job of each data file), newest first' })
  @ApiOkResponse({ type: [JobStatusDto] })
  async list(@Query() { state }: ListJobsQueryDto): Promise<JobStatusDto[]> {
    return (await this.files.listWithJobs(state)).map(toJobStatus);
  }

  @Get('jobs/:jobId')
  @ApiOperation({ summary: 'One data job' })
  @ApiOkResponse({ type: JobStatusDto })
  async get(@Param() { jobId }: JobIdParamDto): Promise<JobStatusDto> {
    const file = await this.files.findByJobId(jobId);
    if (!file?.job) {
      throw new JobNotFoundError(JobsErrorCode.JobNotFound, `No job ${jobId}`);
    }
    return toJobStatus(file);
  }

  @Post('jobs/:jobId/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a queued job, or a running one before it changes subjects' })
  @ApiOkResponse({ type: JobStatusDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The job has already finished' })
  async cancel(@Param() { jobId }: JobIdParamDto): Promise<JobStatusDto> {
    await this.jobs.cancel(jobId);
    const file = await this.files.findByJobId(jobId);
    return toJobStatus(file!);
  }
}
