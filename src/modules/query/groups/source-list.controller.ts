import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LocalUser, type LocalUserRecord } from '@/common/auth/current-user.decorator';
import { Permission, PERMISSION_ROLES, RequirePermission } from '@/common/auth/permissions';
import { UserAccessToken } from '@/common/openapi/openapi.decorators';
import { SourceResponseDto } from '@/modules/data/dto/sources.dto';
import { SourcesService } from '@/modules/data/sources.service';
import { AccessService } from './access.service';

const DESCRIPTION =
  'Data admins and developers see every source; other users see the sources a discovery group grants them ' +
  '(above noAccess).';

/**
 * The source lists (CV3 `GET /sources/`, under `/api` and `/query`). They live here, not in the data module,
 * because what a user sees comes from the discovery groups (and the groups module already depends on data).
 */
@ApiTags('sources')
@UserAccessToken()
@RequirePermission(Permission.Query)
@Controller()
export class SourceListController {
  constructor(
    private readonly sources: SourcesService,
    private readonly access: AccessService,
  ) {}

  @Get(['api/sources', 'api/source'])
  @ApiOperation({ summary: 'The sources the caller may see', description: DESCRIPTION })
  @ApiOkResponse({ type: [SourceResponseDto] })
  listSources(@LocalUser() user: LocalUserRecord): Promise<SourceResponseDto[]> {
    return this.visibleSources(user);
  }

  @Get('query/sources')
  @ApiOperation({ summary: 'The sources the caller may see', description: DESCRIPTION })
  @ApiOkResponse({ type: [SourceResponseDto] })
  listQuerySources(@LocalUser() user: LocalUserRecord): Promise<SourceResponseDto[]> {
    return this.visibleSources(user);
  }

  private async visibleSources(user: LocalUserRecord): Promise<SourceResponseDto[]> {
    if (PERMISSION_ROLES[Permission.DataManagement].includes(user.role)) {
      return this.sources.list();
    }
    const listing = this.sources.list();
    const [all, levels] = await Promise.all([
      listing,
      this.access.levels(
        user.userId,
        listing.then((list) => list.map((s) => s.sourceId)),
      ),
    ]);
    return all.filter((s) => levels.has(s.sourceId));
  }
}
