import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'cv3:isPublic';

/** Marks a route as reachable without a token. Every other route needs a valid bearer token. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
