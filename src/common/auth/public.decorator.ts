import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';

export const IS_PUBLIC_KEY = 'cv3:isPublic';
export const OWN_CREDENTIALS_KEY = 'cv3:ownCredentials';

/**
 * Marks a route (or controller) as reachable without a token; every other route needs a valid bearer token.
 * In OpenAPI it is `security: [{}]`, i.e. public on purpose.
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiSecurity({}));

/**
 * A route whose `Authorization` carries another credential (e.g. the shared secret) that its own guard checks:
 * the global guard neither requires nor reads a user token there. Document the scheme on the route.
 */
export const OwnCredentials = () =>
  applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), SetMetadata(OWN_CREDENTIALS_KEY, true));
