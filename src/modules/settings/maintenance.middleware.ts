import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DEFAULT_MAINTENANCE_MESSAGE, MaintenanceService } from './maintenance.service';
import { MaintenanceModeError } from './settings.errors';

/** Where the middleware puts the toggle's `Authorization` header (see {@link MaintenanceMiddleware}). */
export const SHARED_SECRET_AUTHORIZATION = 'cv3SharedSecretAuthorization';
export type RequestWithSharedSecret = Request & { [SHARED_SECRET_AUTHORIZATION]?: string };

const TOGGLE_PATHS = new Set(['/api/config/maintenance', '/query/config/maintenance']);
const LIVENESS_PATH = '/health/live';

/** Express routes case-insensitively and ignores a trailing slash; the exemptions must match the same way. */
function routePath(req: Request): string {
  const path = (req.originalUrl ?? req.url).split('?')[0].toLowerCase();
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/**
 * Maintenance mode: while on, every route answers 503 with the message, except the toggle itself and liveness.
 * A middleware (not a guard) so it runs before authentication and also covers unknown paths.
 *
 * It also moves the toggle's `Authorization` header (the shared secret, not a JWT) aside, so that the global
 * auth guard, which verifies any bearer sent to a public route, does not refuse it; SharedSecretGuard reads it.
 */
@Injectable()
export class MaintenanceMiddleware implements NestMiddleware {
  constructor(private readonly maintenance: MaintenanceService) {}

  async use(req: RequestWithSharedSecret, _res: Response, next: NextFunction): Promise<void> {
    const path = routePath(req);
    if (req.method === 'POST' && TOGGLE_PATHS.has(path)) {
      req[SHARED_SECRET_AUTHORIZATION] = req.headers.authorization;
      delete req.headers.authorization;
      next();
      return;
    }
    if (path === LIVENESS_PATH) {
      next();
      return;
    }
    const state = await this.maintenance.current();
    if (state.maintenance) {
      throw new MaintenanceModeError(state.message || DEFAULT_MAINTENANCE_MESSAGE);
    }
    next();
  }
}
