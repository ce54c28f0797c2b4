import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { destination, transport } from 'pino';
import { httpConfig, loggingConfig } from '@/config/configs';
import type { LogLevelName } from '@/config/instance-config.schema';
import { LogShippingModule } from './log-shipping.module';
import { LogShippingService, teeDestination } from './log-shipping.service';

const PINO_LEVELS: Record<LogLevelName, string> = {
  CRITICAL: 'fatal',
  FATAL: 'fatal',
  ERROR: 'error',
  WARNING: 'warn',
  WARN: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
  TRACE: 'trace',
};

const SECRET_KEYS = ['password', 'token', 'secret', 'access_token', 'refresh_token', 'client_secret'];

/**
 * Paths never logged: credentials, cookies and anything named like a secret, at the top level of a log call's
 * object and one level down (`*.x` does not match a top-level `x`).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-vault-token"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
];

/** pino's `redact` option; shipped lines are the console's lines, so they are redacted alike. */
export const REDACT = { paths: REDACT_PATHS, censor: '[redacted]' };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reads `x-request-id` when it is sane, otherwise creates one, and echoes it in the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

@Module({
  imports: [
    LoggerModule.forRootAsync({
      imports: [LogShippingModule],
      inject: [loggingConfig.KEY, httpConfig.KEY, LogShippingService],
      useFactory: (
        log: ConfigType<typeof loggingConfig>,
        http: ConfigType<typeof httpConfig>,
        shipping: LogShippingService,
      ) => {
        const quiet = ['/health', http.metrics.path];
        const pretty = process.env.CV3_ENV === 'local' && process.stdout.isTTY;
        const prettyTarget = { target: 'pino-pretty', options: { singleLine: true } };
        const options = {
          name: log.name,
          level: process.env.CV3_LOG_LEVEL ?? PINO_LEVELS[log.level],
          genReqId: requestId,
          redact: REDACT,
          autoLogging: {
            ignore: (req: IncomingMessage) => quiet.some((p) => (req.url ?? '').startsWith(p)),
          },
          // Log the request line and status only: never bodies, query strings of tokens or patient data.
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url.split('?')[0],
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
        };
        if (shipping.streams.length === 0) {
          return { pinoHttp: { ...options, transport: pretty ? prettyTarget : undefined } };
        }
        // pino takes a transport or a destination, not both: with collectors, pretty output is one of the tee's streams.
        const out = pretty ? transport(prettyTarget) : destination(1);
        return { pinoHttp: [options, teeDestination(out, shipping.streams)] };
      },
    }),
  ],
})
export class LoggingModule {}
