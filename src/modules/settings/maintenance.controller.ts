import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { OwnCredentials } from '@/common/auth/public.decorator';
import { ErrorResponseDto } from '@/common/openapi/error-response.dto';
import { SHARED_SECRET } from '@/common/openapi/openapi';
import { MaintenanceDto } from './dto/maintenance.dto';
import { MaintenanceService } from './maintenance.service';
import { SharedSecretGuard, SharedSecretTimestamp } from './shared-secret.guard';
import { SuccessResponseDto } from '@/common/openapi/success-response.dto';

@ApiTags('settings')
@Controller(['api/config', 'query/config'])
export class MaintenanceController {
  constructor(private readonly maintenance: MaintenanceService) {}

  /** No user token: the shared secret in Authorization is checked by SharedSecretGuard. */
  @Post('maintenance')
  @HttpCode(200)
  @OwnCredentials()
  @UseGuards(SharedSecretGuard)
  @ApiBearerAuth(SHARED_SECRET)
  @ApiHeader({
    name: 'X-Timestamp',
    required: true,
    description: 'Seconds since the epoch; within ±60 s of the server time and newer than the last accepted one',
    schema: { type: 'integer' },
  })
  @ApiOperation({
    summary: 'Maintenance mode on or off',
    description:
      'For the Cafe Variome Assistant. While on, every route except this one and /health/live answers ' +
      '503 `{code: "MAINTENANCE", message}`; all processes follow within 2 s.',
  })
  @ApiOkResponse({ type: SuccessResponseDto })
  @ApiBadRequestResponse({ description: 'Bad body or X-Timestamp missing or malformed', type: ErrorResponseDto })
  @ApiUnauthorizedResponse({ description: 'Shared secret missing or wrong', type: ErrorResponseDto })
  @ApiForbiddenResponse({ description: 'X-Timestamp stale or replayed', type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({
    description: 'Vault unavailable or no shared secret stored',
    type: ErrorResponseDto,
  })
  async setMaintenance(
    @SharedSecretTimestamp() timestamp: number,
    @Body() body: MaintenanceDto,
  ): Promise<SuccessResponseDto> {
    await this.maintenance.apply(timestamp, body.maintenance, body.message);
    return { status: 'Success' };
  }
}
