import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Permission, RequirePermission } from '@/common/auth/permissions';
import { ErrorResponseDto } from '@/common/openapi/error-response.dto';
import { UserAccessToken } from '@/common/openapi/openapi.decorators';
import type { Pipeline } from './data.types';
import { CreatedPipelineResponseDto, PipelineIdParamDto } from './dto/common.dto';
import { CreatePipelineDto, PipelineResponseDto } from './dto/pipelines.dto';
import { PipelinesService } from './pipelines.service';
import { SUCCESS, SuccessResponseDto } from '@/common/openapi/success-response.dto';

/** File and remap pipelines. Roles: dataAdmin and developer. */
@ApiTags('pipelines')
@UserAccessToken()
@RequirePermission(Permission.DataManagement)
@Controller('api/pipelines')
export class PipelinesController {
  constructor(private readonly pipelines: PipelinesService) {}

  @Get()
  @ApiOperation({ summary: 'All pipelines' })
  @ApiOkResponse({ type: [PipelineResponseDto] })
  listPipelines(): Promise<Pipeline[]> {
    return this.pipelines.list();
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a pipeline', description: 'A filePipeline or a remapPipeline.' })
  @ApiOkResponse({ type: CreatedPipelineResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'pipelineName taken', type: ErrorResponseDto })
  async createPipeline(@Body() body: CreatePipelineDto): Promise<CreatedPipelineResponseDto> {
    const pipeline = await this.pipelines.create(body);
    return { ...SUCCESS, pipelineId: pipeline.pipelineId };
  }

  @Get('attributes')
  @ApiOperation({
    summary: 'Indexed attribute names',
    description: 'The EAV attribute names in the index of any source, sorted.',
  })
  @ApiOkResponse({ type: [String] })
  listAttributes(): Promise<string[]> {
    return this.pipelines.attributes();
  }

  @Get(':pipelineId')
  @ApiOperation({ summary: 'Read a pipeline' })
  @ApiOkResponse({ type: PipelineResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  getPipeline(@Param() { pipelineId }: PipelineIdParamDto): Promise<Pipeline> {
    return this.pipelines.findOrFail(pipelineId);
  }

  @Patch(':pipelineId')
  @ApiOperation({ summary: 'Replace a pipeline', description: 'Takes a whole Pipeline (as CV3); the ID stays.' })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'pipelineName taken', type: ErrorResponseDto })
  async replacePipeline(
    @Param() { pipelineId }: PipelineIdParamDto,
    @Body() body: CreatePipelineDto,
  ): Promise<SuccessResponseDto> {
    await this.pipelines.replace(pipelineId, body);
    return SUCCESS;
  }

  @Delete(':pipelineId')
  @ApiOperation({ summary: 'Delete a pipeline' })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async deletePipeline(@Param() { pipelineId }: PipelineIdParamDto): Promise<SuccessResponseDto> {
    await this.pipelines.delete(pipelineId);
    return SUCCESS;
  }
}
