import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { LocalUser, type LocalUserRecord } from '@/common/auth/current-user.decorator';
import { Permission, RequirePermission } from '@/common/auth/permissions';
import { ErrorResponseDto } from '@/common/openapi/error-response.dto';
import { UserAccessToken } from '@/common/openapi/openapi.decorators';
import {
  CreateUserDto,
  LocalUserResponseDto,
  RealmUserResponseDto,
  UpdateUserDto,
  UserIdParamDto,
} from './dto/users.dto';
import { UsersService } from './users.service';
import { SUCCESS, SuccessResponseDto } from '@/common/openapi/success-response.dto';

/** User management (CV3 "Users"): serverAdmin and developer. */
@ApiTags('users')
@UserAccessToken()
@RequirePermission(Permission.UserManagement)
@Controller(['api/users', 'query/users'])
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({
    summary: 'All users',
    description: 'Every Keycloak realm user merged with the local rows; `local` marks users of this installation.',
  })
  @ApiOkResponse({ type: [RealmUserResponseDto] })
  listUsers(): Promise<RealmUserResponseDto[]> {
    return this.users.listAll();
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a user',
    description:
      'Creates the Keycloak account (Keycloak mails a set-password link) and the local row; with `allowLogin` also ' +
      "the transit key. The role must not be above the caller's own.",
  })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'Username or email already taken', type: ErrorResponseDto })
  async createUser(@Body() body: CreateUserDto, @LocalUser() actor: LocalUserRecord): Promise<SuccessResponseDto> {
    await this.users.createUser(body, actor);
    return SUCCESS;
  }

  @Get('local')
  @ApiOperation({ summary: 'Local users', description: 'Only users with a row at this installation.' })
  @ApiOkResponse({ type: [LocalUserResponseDto] })
  listLocalUsers(): Promise<LocalUserResponseDto[]> {
    return this.users.listLocal();
  }

  @Get(':userId')
  @ApiOperation({ summary: 'Read a local user' })
  @ApiOkResponse({ type: LocalUserResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  getUser(@Param() { userId }: UserIdParamDto): Promise<LocalUserResponseDto> {
    return this.users.get(userId);
  }

  @Patch(':userId')
  @ApiOperation({ summary: 'Update a local user', description: 'Role, affiliation, names and budget.' })
  @ApiOkResponse({ type: LocalUserResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  updateUser(
    @Param() { userId }: UserIdParamDto,
    @Body() body: UpdateUserDto,
    @LocalUser() actor: LocalUserRecord,
  ): Promise<LocalUserResponseDto> {
    return this.users.update(userId, body, actor);
  }

  @Delete(':userId')
  @ApiOperation({
    summary: 'Delete a local user',
    description: 'Removes the local row and the transit key; the Keycloak account stays (Keycloak is the realm IdP).',
  })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async deleteUser(
    @Param() { userId }: UserIdParamDto,
    @LocalUser() actor: LocalUserRecord,
  ): Promise<SuccessResponseDto> {
    await this.users.remove(userId, actor);
    return SUCCESS;
  }

  @Post(':userId/activate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Activate a user', description: 'DB-level enable: the user may query.' })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async activateUser(
    @Param() { userId }: UserIdParamDto,
    @LocalUser() actor: LocalUserRecord,
  ): Promise<SuccessResponseDto> {
    await this.users.setActive(userId, true, actor);
    return SUCCESS;
  }

  @Post(':userId/deactivate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deactivate a user', description: 'DB-level disable: no login, no query.' })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async deactivateUser(
    @Param() { userId }: UserIdParamDto,
    @LocalUser() actor: LocalUserRecord,
  ): Promise<SuccessResponseDto> {
    await this.users.setActive(userId, false, actor);
    return SUCCESS;
  }

  @Post(':userId/permit-login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Permit login', description: "Creates the user's Vault transit key (does not activate)." })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async permitLogin(
    @Param() { userId }: UserIdParamDto,
    @LocalUser() actor: LocalUserRecord,
  ): Promise<SuccessResponseDto> {
    await this.users.permitLogin(userId, actor);
    return SUCCESS;
  }

  @Post(':userId/revoke-login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke login', description: "Deletes the user's Vault transit key." })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async revokeLogin(
    @Param() { userId }: UserIdParamDto,
    @LocalUser() actor: LocalUserRecord,
  ): Promise<SuccessResponseDto> {
    await this.users.revokeLogin(userId, actor);
    return SUCCESS;
  }
}
