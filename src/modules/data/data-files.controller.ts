import { Controller, Delete, Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Permission, RequirePermission } from '@/common/auth/permissions';
import { ErrorResponseDto } from '@/common/openapi/error-response.dto';
import { UserAccessToken } from '@/common/openapi/openapi.decorators';
import { DataFilesService, SAMPLE_ROWS } from './data-files.service';
import { DataFileIdParamDto } from './dto/common.dto';
import { SUCCESS, SuccessResponseDto } from '@/common/openapi/success-response.dto';

/** Uploaded data files. Roles: dataAdmin and developer. */
@ApiTags('sources')
@UserAccessToken()
@RequirePermission(Permission.DataManagement)
@Controller('api/datafiles')
export class DataFilesController {
  constructor(private readonly dataFiles: DataFilesService) {}

  @Delete(':dataFileId')
  @ApiOperation({
    summary: 'Delete a data file',
    description: 'Removes the file, its staged rows and its contribution to the source’s subjects.',
  })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async deleteDataFile(@Param() { dataFileId }: DataFileIdParamDto): Promise<SuccessResponseDto> {
    await this.dataFiles.delete(dataFileId);
    return SUCCESS;
  }

  @Get(':dataFileId/sample')
  @ApiOperation({
    summary: 'Preview staged rows',
    description: `The first ${SAMPLE_ROWS} rows the file pipeline staged for this file (empty before ingestion).`,
  })
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'object', additionalProperties: true } } })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  sampleDataFile(@Param() { dataFileId }: DataFileIdParamDto): Promise<Record<string, unknown>[]> {
    return this.dataFiles.sample(dataFileId);
  }
}
