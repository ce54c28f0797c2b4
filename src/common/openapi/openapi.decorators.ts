import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';

/** CV3's security scheme name for Keycloak user access tokens. */
export const USER_ACCESS_TOKEN = 'userAccessToken';

/** Documents a route (or controller) that needs a user access token, with its refusals. */
export function UserAccessToken() {
  return applyDecorators(
    ApiBearerAuth(USER_ACCESS_TOKEN),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token', type: ErrorResponseDto }),
    ApiForbiddenResponse({ description: 'Authenticated but not permitted', type: ErrorResponseDto }),
    ApiServiceUnavailableResponse({ description: 'Keycloak unavailable or maintenance mode', type: ErrorResponseDto }),
  );
}
