import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { multistream, type DestinationStream, type MultiStreamRes } from 'pino';
import { loggingConfig } from '@/config/configs';
import { BatchingLogStream, type BatchingOptions, DEFAULT_BATCHING, ErrorReporter } from './batching-log.stream';
import { LokiClient } from './loki.client';
import { SplunkHecClient } from './splunk-hec.client';

/** How long shutdown waits for the last lines to reach the collectors. */
export const SHUTDOWN_FLUSH_TIMEOUT_MS = 3_000;

/** One batching stream per collector enabled in `Logging`; none when shipping is off. */
export function createShippingStreams(
  cfg: ConfigType<typeof loggingConfig>,
  batching: BatchingOptions = DEFAULT_BATCHING,
  reporter?: () => ErrorReporter,
): BatchingLogStream[] {
  const streams: BatchingLogStream[] = [];
  if (cfg.loki.enabled) {
    const sink = new LokiClient({
      endpoint: cfg.loki.endpoint,
      app: cfg.name,
      tags: cfg.loki.tags,
      auth: cfg.loki.auth,
    });
    streams.push(new BatchingLogStream(sink, batching, reporter?.()));
  }
  if (cfg.splunkHec.enabled) {
    const sink = new SplunkHecClient({
      endpoint: cfg.splunkHec.endpoint,
      token: cfg.splunkHec.token,
      source: cfg.name,
    });
    streams.push(new BatchingLogStream(sink, batching, reporter?.()));
  }
  return streams;
}

/**
 * The console plus the collectors as one pino destination. Every stream takes every level: the logger's own
 * level (and its redaction) has already decided what is written, so collectors get exactly the console's lines.
 */
export function teeDestination(out: DestinationStream, shipping: readonly BatchingLogStream[]): MultiStreamRes {
  return multistream([out, ...shipping].map((stream) => ({ level: 'trace' as const, stream })));
}

/**
 * Owns the collectors' streams so their last lines are flushed when the app shuts down. Shipping runs in this
 * process, not in pino worker-thread transports: the HTTP calls are asynchronous anyway, and a transport module
 * would have to be resolvable as compiled JS from dist/ and from ts-jest alike.
 */
@Injectable()
export class LogShippingService implements OnApplicationShutdown {
  readonly streams: BatchingLogStream[];

  constructor(@Inject(loggingConfig.KEY) cfg: ConfigType<typeof loggingConfig>) {
    this.streams = createShippingStreams(cfg);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.streams.map((s) => s.close(SHUTDOWN_FLUSH_TIMEOUT_MS)));
  }
}
