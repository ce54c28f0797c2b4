import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { LocalUser, type LocalUserRecord } from '@/common/auth/current-user.decorator';
import { Permission, RequirePermission } from '@/common/auth/permissions';
import { Public } from '@/common/auth/public.decorator';
import { ErrorResponseDto } from '@/common/openapi/error-response.dto';
import { UserAccessToken } from '@/common/openapi/openapi.decorators';
import { AccessRequestBodySizeGuard } from './access-requests.guards';
import { AccessRequestsService } from './access-requests.service';
import { AccessRequestResponseDto, CreateAccessRequestDto, RequestIdParamDto } from './dto/access-requests.dto';
import { SUCCESS, SuccessResponseDto } from '@/common/openapi/success-response.dto';

/** Anonymous submissions per client address. */
export const ACCESS_REQUEST_RATE_LIMIT = { limit: 5, ttl: 60 * 60_000 };

@ApiTags('access-requests')
@Controller(['api/access-requests', 'query/access-requests'])
export class AccessRequestsController {
  constructor(private readonly requests: AccessRequestsService) {}

  @Post()
  @Public()
  @HttpCode(200)
  @UseGuards(ThrottlerGuard, AccessRequestBodySizeGuard)
  @Throttle({ default: ACCESS_REQUEST_RATE_LIMIT })
  @ApiOperation({
    summary: 'Request an account',
    description:
      'Anonymous. Mails the requester and the user managers. At most 5 requests per hour per client address ' +
      '(429 with Retry-After), bodies up to 16 KiB.',
  })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiBadRequestResponse({
    description: 'A field is missing, of the wrong type, too long or unknown',
    type: ErrorResponseDto,
  })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  async createAccessRequest(@Body() body: CreateAccessRequestDto): Promise<SuccessResponseDto> {
    await this.requests.submit(body);
    return SUCCESS;
  }

  @Get()
  @UserAccessToken()
  @RequirePermission(Permission.UserManagement)
  @ApiOperation({ summary: 'List access requests' })
  @ApiOkResponse({ type: [AccessRequestResponseDto] })
  listAccessRequests(): Promise<AccessRequestResponseDto[]> {
    return this.requests.list();
  }

  @Get(':requestId')
  @UserAccessToken()
  @RequirePermission(Permission.UserManagement)
  @ApiOperation({ summary: 'Read an access request' })
  @ApiOkResponse({ type: AccessRequestResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  getAccessRequest(@Param() { requestId }: RequestIdParamDto): Promise<AccessRequestResponseDto> {
    return this.requests.get(requestId);
  }

  @Post(':requestId/approve')
  @HttpCode(200)
  @UserAccessToken()
  @RequirePermission(Permission.UserManagement)
  @ApiOperation({
    summary: 'Approve an access request',
    description:
      'Creates the user (Keycloak account with a set-password mail, active local row with role user, transit key) ' +
      'and mails the requester.',
  })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'Already decided, or the account exists', type: ErrorResponseDto })
  async approveAccessRequest(
    @Param() { requestId }: RequestIdParamDto,
    @LocalUser() actor: LocalUserRecord,
  ): Promise<SuccessResponseDto> {
    await this.requests.approve(requestId, actor);
    return SUCCESS;
  }

  @Post(':requestId/deny')
  @HttpCode(200)
  @UserAccessToken()
  @RequirePermission(Permission.UserManagement)
  @ApiOperation({ summary: 'Deny an access request', description: 'Mails the requester.' })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ description: 'Already decided', type: ErrorResponseDto })
  async denyAccessRequest(
    @Param() { requestId }: RequestIdParamDto,
    @LocalUser() actor: LocalUserRecord,
  ): Promise<SuccessResponseDto> {
    await this.requests.deny(requestId, actor);
    return SUCCESS;
  }
}
