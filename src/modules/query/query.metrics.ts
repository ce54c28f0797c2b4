import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '@/modules/metrics/metrics.service';

/** How a record query ended: every responder answered, some failed (partial results), or none could answer. */
export type RecordQueryOutcome = 'complete' | 'partial' | 'failed';

/** Record query metrics: outcomes, end-to-end duration, per-source answer time, sources answered per query. */
@Injectable()
export class QueryMetrics {
  readonly queries: Counter<'outcome'>;
  readonly duration: Histogram<'outcome'>;
  readonly sourceSeconds: Histogram<'responder' | 'outcome'>;
  readonly sourcesAnswered: Histogram;

  constructor(metrics: MetricsService) {
    this.queries = new Counter({
      name: 'cv3_record_queries_total',
      help: 'Record queries by outcome (partial: some responder failed or timed out)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    this.duration = new Histogram({
      name: 'cv3_record_query_duration_seconds',
      help: 'Record queries from submission to completion, by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [metrics.registry],
    });
    this.sourceSeconds = new Histogram({
      name: 'cv3_record_query_source_seconds',
      help: 'Time one source took to answer a record query, by responder (local or a node) and outcome (ok, error)',
      labelNames: ['responder', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [metrics.registry],
    });
    this.sourcesAnswered = new Histogram({
      name: 'cv3_record_query_sources_answered',
      help: 'Sources that answered a record query without error',
      buckets: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [metrics.registry],
    });
  }

  /** One source's answer (or failure), as a responder measured it. */
  observeSource(responderId: string, seconds: number, ok: boolean): void {
    this.sourceSeconds.observe({ responder: responderId, outcome: ok ? 'ok' : 'error' }, seconds);
  }

  /** A query that ended; `seconds` from submission, `answered` sources that answered without error. */
  queryFinished(outcome: RecordQueryOutcome, seconds: number, answered?: number): void {
    this.queries.inc({ outcome });
    this.duration.observe({ outcome }, seconds);
    if (answered !== undefined) {
      this.sourcesAnswered.observe(answered);
    }
  }
}
