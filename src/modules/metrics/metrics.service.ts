import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * The one Prometheus registry of the process. Modules define their own metrics next to the code that updates them
 * and register them here (`registerMetric`), so everything is served from one place.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'cv3_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor() {
    this.registry.setDefaultLabels({ app: 'cv3-backend' });
    collectDefaultMetrics({ register: this.registry });
  }

  registerMetric(metric: Parameters<Registry['registerMetric']>[0]): void {
    this.registry.registerMetric(metric);
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
