import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthenticatedUser } from '@/common/auth/current-user.decorator';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth')
export class AuthController {
  /** The caller, as proven by the access token. */
  @Get('user-info')
  @ApiOperation({ summary: 'Current user' })
  userInfo(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    return user;
  }
}
