import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { MaintenanceService } from './maintenance.service';
import type { Request } from 'express';

const ACCEPTED_TIMESTAMP = 'cv3SharedSecretTimestamp';
type GuardedRequest = Request & { [ACCEPTED_TIMESTAMP]?: number };

/** CVA's `sharedSecret` scheme: bearer shared secret from Vault plus a fresh `X-Timestamp`. */
@Injectable()
export class SharedSecretGuard implements CanActivate {
  constructor(private readonly maintenance: MaintenanceService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<GuardedRequest>();
    req[ACCEPTED_TIMESTAMP] = await this.maintenance.authenticate(
      req.headers.authorization,
      req.headers['x-timestamp'],
    );
    return true;
  }
}

/** The `X-Timestamp` SharedSecretGuard accepted. */
export const SharedSecretTimestamp = createParamDecorator((_data: unknown, ctx: ExecutionContext): number => {
  const timestamp = ctx.switchToHttp().getRequest<GuardedRequest>()[ACCEPTED_TIMESTAMP];
  if (timestamp === undefined) {
    throw new Error('SharedSecretTimestamp used without SharedSecretGuard');
  }
  return timestamp;
});
