import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { NextFunction, Request, Response } from 'express';
import { httpConfig } from '@/config/configs';
import { MetricsService } from './metrics.service';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Serves the registry at `Metrics.Prometheus.Path`; with a `Key`, only to `Authorization: Bearer <Key>`. */
@Injectable()
export class MetricsEndpointMiddleware implements NestMiddleware {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(httpConfig.KEY) private readonly cfg: ConfigType<typeof httpConfig>,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    const key = this.cfg.metrics.key;
    if (key) {
      const header = req.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7) : '';
      if (!sameSecret(given, key)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        res.status(401).json({
          statusCode: 401,
          code: 'METRICS_KEY_REQUIRED',
          message: 'A valid metrics bearer key is required',
          requestId: (req as Request & { id?: unknown }).id,
        });
        return;
      }
    }
    this.metrics.render().then(
      (text) => {
        res.setHeader('Content-Type', this.metrics.contentType());
        res.status(200).send(text);
      },
      (err: unknown) => next(err),
    );
  }
}
