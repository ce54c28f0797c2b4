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
import { SUCCESS, SuccessResponseDto } from '@/common/openapi/success-response.dto';
import {
  CreatedGroupResponseDto,
  CreateGroupDto,
  GroupIdParamDto,
  GroupResponseDto,
  UpdateGroupDto,
} from './dto/groups.dto';
import { GroupsService } from './groups.service';

/** Discovery groups (CV3 `/groups/`). Roles: dataAdmin and developer. */
@ApiTags('groups')
@UserAccessToken()
@RequirePermission(Permission.DataManagement)
@Controller('api/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get()
  @ApiOperation({ summary: 'All discovery groups' })
  @ApiOkResponse({ type: [GroupResponseDto] })
  listGroups(): Promise<GroupResponseDto[]> {
    return this.groups.list();
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a discovery group',
    description: 'Its users see its sources at its discoveryPolicy (the highest policy wins over several groups).',
  })
  @ApiOkResponse({ type: CreatedGroupResponseDto })
  @ApiBadRequestResponse({ description: 'Bad field, unknown users or sources', type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'groupName taken', type: ErrorResponseDto })
  async createGroup(@Body() body: CreateGroupDto): Promise<CreatedGroupResponseDto> {
    const group = await this.groups.create(body);
    return { ...SUCCESS, groupId: group.groupId };
  }

  @Get(':groupId')
  @ApiOperation({ summary: 'Read a discovery group' })
  @ApiOkResponse({ type: GroupResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  getGroup(@Param() { groupId }: GroupIdParamDto): Promise<GroupResponseDto> {
    return this.groups.get(groupId);
  }

  @Patch(':groupId')
  @ApiOperation({ summary: 'Update a discovery group', description: 'Any subset of the fields.' })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiBadRequestResponse({ description: 'Bad field, unknown users or sources', type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'groupName taken', type: ErrorResponseDto })
  async updateGroup(@Param() { groupId }: GroupIdParamDto, @Body() body: UpdateGroupDto): Promise<SuccessResponseDto> {
    await this.groups.update(groupId, body);
    return SUCCESS;
  }

  @Delete(':groupId')
  @ApiOperation({ summary: 'Delete a discovery group' })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async deleteGroup(@Param() { groupId }: GroupIdParamDto): Promise<SuccessResponseDto> {
    await this.groups.delete(groupId);
    return SUCCESS;
  }
}
