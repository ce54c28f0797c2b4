import { Global, Inject, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { httpConfig } from '@/config/configs';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsEndpointMiddleware } from './metrics-endpoint.middleware';
import { MetricsService } from './metrics.service';

/**
 * Global so every module can add its metrics to the one registry. The endpoint exists only when
 * `Metrics.Prometheus.Enabled`; otherwise its path is an ordinary 404.
 */
@Global()
@Module({
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule implements NestModule {
  constructor(@Inject(httpConfig.KEY) private readonly cfg: ConfigType<typeof httpConfig>) {}

  configure(consumer: MiddlewareConsumer): void {
    if (!this.cfg.metrics.enabled) {
      return;
    }
    consumer.apply(MetricsEndpointMiddleware).forRoutes({ path: this.cfg.metrics.path, method: RequestMethod.GET });
    consumer
      .apply(HttpMetricsMiddleware)
      .exclude({ path: this.cfg.metrics.path, method: RequestMethod.GET })
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
