import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, type AuthenticatedUser } from '@/common/auth/current-user.decorator';
import { Permission, RequirePermission } from '@/common/auth/permissions';
import { ErrorResponseDto } from '@/common/openapi/error-response.dto';
import { UserAccessToken } from '@/common/openapi/openapi.decorators';
import { DataErrorCode, UploadRefusedError } from './data.errors';
import type { SourceRecord } from './data.types';
import { DataFilesService } from './data-files.service';
import { CreatedSourceResponseDto, SourceIdParamDto } from './dto/common.dto';
import { DataFileResponseDto, UploadChunkDto, UploadChunkQueryDto, UploadChunkResponseDto } from './dto/data-files.dto';
import {
  CreateSourceDto,
  SourceResponseDto,
  UpdateSourceDto,
  UploadTokenQueryDto,
  UploadTokenResponseDto,
} from './dto/sources.dto';
import { SourcesService } from './sources.service';
import { UploadTokenService } from './upload/upload-token.service';
import { MAX_CHUNK_BYTES } from './upload/upload.rules';
import { UploadService } from './upload/upload.service';
import { SUCCESS, SuccessResponseDto } from '@/common/openapi/success-response.dto';

export const UPLOAD_TOKEN_HEADER = 'x-upload-token';
const CHUNK_UPLOADED = 'The file chunk uploaded successfully';

/**
 * Record-level sources, their uploads and data files. Paths under both `/sources/` and `/source/` (CV3's spec
 * uses both). Roles: dataAdmin and developer. The source lists (`GET /sources/`, which users may call too) are
 * served by the groups module's SourceListController, since what a user sees comes from the discovery groups.
 */
@ApiTags('sources')
@UserAccessToken()
@RequirePermission(Permission.DataManagement)
@Controller(['api/sources', 'api/source'])
export class SourcesController {
  constructor(
    private readonly sources: SourcesService,
    private readonly dataFiles: DataFilesService,
    private readonly uploads: UploadService,
    private readonly uploadTokens: UploadTokenService,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a source',
    description:
      'internal, molgenis (sourceUrl and indexUrl required) or beacon (sourceUrl and beaconAuthMethod required). ' +
      'The record index starts empty.',
  })
  @ApiOkResponse({ type: CreatedSourceResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'sourceId or sourceName taken', type: ErrorResponseDto })
  async createSource(@Body() body: CreateSourceDto): Promise<CreatedSourceResponseDto> {
    const source = await this.sources.create(body);
    return { ...SUCCESS, sourceId: source.sourceId };
  }

  @Get('upload-token')
  @ApiOperation({
    summary: 'Upload token',
    description: 'A JWT (1 h) allowing the caller to upload to this internal source; send it as X-Upload-Token.',
  })
  @ApiOkResponse({ type: UploadTokenResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async getUploadToken(
    @Query() { sourceId }: UploadTokenQueryDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<UploadTokenResponseDto> {
    await this.uploadableSource(sourceId);
    return { token: await this.uploadTokens.issue(sourceId, user.userId) };
  }

  @Get(':sourceId')
  @ApiOperation({ summary: 'Read a source' })
  @ApiOkResponse({ type: SourceResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  getSource(@Param() { sourceId }: SourceIdParamDto): Promise<SourceResponseDto> {
    return this.sources.get(sourceId);
  }

  @Patch(':sourceId')
  @ApiOperation({ summary: 'Update a source', description: 'Any subset of the fields; sourceType cannot change.' })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'sourceName taken', type: ErrorResponseDto })
  async updateSource(
    @Param() { sourceId }: SourceIdParamDto,
    @Body() body: UpdateSourceDto,
  ): Promise<SuccessResponseDto> {
    await this.sources.update(sourceId, body);
    return SUCCESS;
  }

  @Delete(':sourceId')
  @ApiOperation({
    summary: 'Delete a source',
    description: 'With its data files (records and files), its subjects and its staged rows.',
  })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async deleteSource(@Param() { sourceId }: SourceIdParamDto): Promise<SuccessResponseDto> {
    await this.sources.delete(sourceId);
    return SUCCESS;
  }

  @Get(':sourceId/datafiles')
  @ApiOperation({ summary: "A source's data files", description: 'Each with its last job status.' })
  @ApiOkResponse({ type: [DataFileResponseDto] })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  listDataFiles(@Param() { sourceId }: SourceIdParamDto): Promise<DataFileResponseDto[]> {
    return this.dataFiles.listResponses(sourceId);
  }

  @Post(':sourceId/upload')
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_CHUNK_BYTES, files: 1, fields: 20 } }))
  @ApiOperation({
    summary: 'Upload a chunk (resumable.js)',
    description:
      'Chunks in any order; a retried chunk replaces itself. The chunk completing the file assembles it, checks ' +
      'size and content, and answers the new dataFileId. A refusal deletes the upload’s chunks.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiHeader({ name: 'X-Upload-Token', required: true, description: 'From GET /sources/upload-token' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file', 'resumableChunkNumber', 'resumableTotalChunks', 'resumableChunkSize', 'resumableTotalSize'],
      properties: {
        file: { type: 'string', format: 'binary' },
        resumableChunkNumber: { type: 'integer' },
        resumableTotalChunks: { type: 'integer' },
        resumableChunkSize: { type: 'integer' },
        resumableTotalSize: { type: 'integer' },
        resumableIdentifier: { type: 'string' },
        resumableFilename: { type: 'string' },
      },
    },
  })
  @ApiOkResponse({ type: UploadChunkResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto })
  async uploadChunk(
    @Param() { sourceId }: SourceIdParamDto,
    @Body() body: UploadChunkDto,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Headers(UPLOAD_TOKEN_HEADER) token: string | undefined,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<UploadChunkResponseDto> {
    const source = await this.uploadableSource(sourceId);
    await this.uploadTokens.verify(token, sourceId, user.userId);
    const { dataFileId } = await this.uploads.receiveChunk(source, body, file?.buffer);
    return dataFileId ? { status: CHUNK_UPLOADED, dataFileId } : { status: CHUNK_UPLOADED };
  }

  @Get(':sourceId/upload')
  @ApiOperation({
    summary: 'Is a chunk there? (resumable.js testChunks)',
    description: '200 when the chunk is stored, 204 when it is not.',
  })
  @ApiHeader({ name: 'X-Upload-Token', required: true, description: 'From GET /sources/upload-token' })
  @ApiOkResponse({ type: UploadChunkResponseDto, description: 'The chunk is stored' })
  @ApiNoContentResponse({ description: 'The chunk is not stored' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async testChunk(
    @Param() { sourceId }: SourceIdParamDto,
    @Query() query: UploadChunkQueryDto,
    @Headers(UPLOAD_TOKEN_HEADER) token: string | undefined,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) res: Response,
  ): Promise<UploadChunkResponseDto | undefined> {
    await this.uploadableSource(sourceId);
    await this.uploadTokens.verify(token, sourceId, user.userId);
    if (await this.uploads.hasChunk(sourceId, query.resumableIdentifier, query.resumableChunkNumber)) {
      return { status: 'The file chunk is already uploaded' };
    }
    res.status(204);
    return undefined;
  }

  /** Only internal sources take uploads (the others are queried where they live). */
  private async uploadableSource(sourceId: string): Promise<SourceRecord> {
    const source = await this.sources.findOrFail(sourceId);
    if (source.sourceType !== 'internal') {
      throw new UploadRefusedError(
        DataErrorCode.UploadSourceNotInternal,
        `Source ${sourceId} is a ${source.sourceType} source; only internal sources take uploads`,
      );
    }
    return source;
  }
}
