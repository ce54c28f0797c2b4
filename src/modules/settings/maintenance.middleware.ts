import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DEFAULT_MAINTENANCE_MESSAGE, MaintenanceService } from './maintenance.service';
import { MaintenanceModeError } from './settings.errors';

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
 */
@Injectable()
export class MaintenanceMiddleware implements NestMiddleware {
  constructor(private readonly maintenance: MaintenanceService) {}

  async use(req: Request, _res: Response, next: NextFunction): Promise<void> {
    const path = routePath(req);
    if ((req.method === 'POST' && TOGGLE_PATHS.has(path)) || path === LIVENESS_PATH) {
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
