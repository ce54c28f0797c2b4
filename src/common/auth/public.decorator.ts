import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';

export const IS_PUBLIC_KEY = 'cv3:isPublic';

/**
 * Marks a route (or controller) as reachable without a token; every other route needs a valid bearer token.
 * In OpenAPI it is `security: [{}]`, i.e. public on purpose.
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiSecurity({}));
