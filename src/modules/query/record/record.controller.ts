import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  type AuthenticatedUser,
  CurrentUser,
  LocalUser,
  type LocalUserRecord,
} from '@/common/auth/current-user.decorator';
import { Permission, RequirePermission } from '@/common/auth/permissions';
import { Public } from '@/common/auth/public.decorator';
import { ErrorResponseDto } from '@/common/openapi/error-response.dto';
import { USER_ACCESS_TOKEN, UserAccessToken } from '@/common/openapi/openapi.decorators';
import { parseQueryBuilder } from '../builder/parse';
import {
  QueryIdResponseDto,
  RecordHistoryQueryDto,
  RecordQueryDto,
  RecordQueryIdParamDto,
  RecordResultDto,
  RecordResultQueryDto,
} from './record.dto';
import { RecordAccess, viewerOf } from './record.access';
import { RecordQueryService } from './record-query.service';

const ANONYMOUS_RULE =
  'Optional auth: with a token, an active local user; without one, the internal anonymous user, only when the ' +
  'system setting federationSettings.anonymousAccess is on (401 otherwise).';
const READ_RULE =
  'Readable by its owner and by admins (dataAdmin, serverAdmin, developer). An anonymous query is readable by ' +
  'anyone holding its ID: the random UUID is the capability. Any other query is answered 404, as a missing one.';
const NOT_FOUND = { description: 'No such query, or not yours', type: ErrorResponseDto };
const BAD_PARAMS = { description: 'A malformed query ID or parameter', type: ErrorResponseDto };

/** CV3's optional auth (`security: [{}, {userAccessToken: []}]`): the guard reads a token when one is sent. */
function OptionalUserAccessToken() {
  return applyDecorators(
    Public(),
    ApiBearerAuth(USER_ACCESS_TOKEN),
    ApiUnauthorizedResponse({
      description: 'No token and anonymous access off, or a bad token',
      type: ErrorResponseDto,
    }),
    ApiForbiddenResponse({ description: 'The token is valid but its user is not active here', type: ErrorResponseDto }),
  );
}

/**
 * Record queries (CV3 reference 2.2 and 5.2): submitted asynchronously, answered per source as responders reply,
 * kept for `Query.RetentionDays`. Paths under the Query API base `/query` only, as in CV3.
 */
@ApiTags('query')
@Controller('query/record')
export class RecordController {
  constructor(
    private readonly records: RecordQueryService,
    private readonly access: RecordAccess,
  ) {}

  @Post()
  @HttpCode(202)
  @OptionalUserAccessToken()
  @ApiOperation({
    summary: 'Submit a record query',
    description:
      'The body is a QueryBuilder (docs/query-semantics.md). Answers at once with the query ID; poll ' +
      `GET /query/record/history/{queryID} (optionally with ?wait=) for the results. ${ANONYMOUS_RULE}`,
  })
  @ApiBody({ schema: { type: 'object', additionalProperties: true }, description: 'A QueryBuilder' })
  @ApiAcceptedResponse({ type: QueryIdResponseDto })
  @ApiBadRequestResponse({
    description: 'An invalid QueryBuilder; details.field names the field',
    type: ErrorResponseDto,
  })
  @ApiServiceUnavailableResponse({ description: 'The job queue is unavailable', type: ErrorResponseDto })
  async submitRecordQuery(
    // Typed `unknown` (design type Object): the global ValidationPipe passes it through untouched to the parser.
    @Body() body: unknown,
    @CurrentUser() user: AuthenticatedUser | undefined,
  ): Promise<QueryIdResponseDto> {
    const { userId, anonymous } = await this.access.viewer(user);
    const query = parseQueryBuilder(body);
    return { queryID: await this.records.submit(query, { userId, anonymous }) };
  }

  // Declared before `:queryId` so that `history` is not taken for an ID.
  @Get('history')
  @UserAccessToken()
  @RequirePermission(Permission.Query)
  @ApiOperation({
    summary: 'Record query history',
    description: 'Own queries within the retention period, newest first; admins get every user’s.',
  })
  @ApiOkResponse({ type: [RecordResultDto] })
  @ApiBadRequestResponse(BAD_PARAMS)
  listRecordHistory(
    @LocalUser() local: LocalUserRecord,
    @Query() { limit }: RecordHistoryQueryDto,
  ): Promise<RecordResultDto[]> {
    return this.records.history(viewerOf(local), limit);
  }

  @Get('history/:queryId')
  @OptionalUserAccessToken()
  @ApiOperation({
    summary: 'A record query with its responses (the polling target)',
    description:
      'Responses accumulate as sources answer; `complete` says no more will come. With `wait`, answers as soon as ' +
      `the query completes or after that many seconds. ${ANONYMOUS_RULE} ${READ_RULE}`,
  })
  @ApiOkResponse({ type: RecordResultDto })
  @ApiBadRequestResponse(BAD_PARAMS)
  @ApiNotFoundResponse(NOT_FOUND)
  async getRecordResult(
    @Param() { queryId }: RecordQueryIdParamDto,
    @Query() { wait }: RecordResultQueryDto,
    @CurrentUser() user: AuthenticatedUser | undefined,
  ): Promise<RecordResultDto> {
    return this.records.result(queryId, await this.access.viewer(user), wait ?? 0);
  }

  @Get(':queryId')
  @UserAccessToken()
  @RequirePermission(Permission.Query)
  @ApiOperation({ summary: 'A stored record query (without responses)', description: READ_RULE })
  @ApiOkResponse({ type: RecordQueryDto })
  @ApiBadRequestResponse(BAD_PARAMS)
  @ApiNotFoundResponse(NOT_FOUND)
  getRecordQuery(
    @Param() { queryId }: RecordQueryIdParamDto,
    @LocalUser() local: LocalUserRecord,
  ): Promise<RecordQueryDto> {
    return this.records.get(queryId, viewerOf(local));
  }
}
