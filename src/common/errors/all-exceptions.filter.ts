import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from './app-error';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  requestId?: string;
  details?: unknown;
}

const HTTP_CODES: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** The one place where errors become HTTP answers, all in the same shape. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string | number }>();
    const requestId = req?.id === undefined ? undefined : String(req.id);
    const { body, headers } = this.toBody(exception, requestId);
    if (res.headersSent) {
      return;
    }
    if (body.statusCode === 401) {
      // RFC 6750: tell the client which scheme to use (and, when a token was sent, that it was refused).
      const invalid = body.code === 'AUTH_TOKEN_MISSING' ? '' : ', error="invalid_token"';
      res.setHeader('WWW-Authenticate', `Bearer realm="Access token required"${invalid}`);
    }
    for (const [k, v] of Object.entries(headers)) {
      res.setHeader(k, v);
    }
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, requestId?: string): { body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof AppError) {
      const body: ErrorBody = { statusCode: exception.httpStatus, code: exception.code, message: exception.message };
      if (exception.details) {
        body.details = exception.details;
      }
      return { body: { ...body, requestId }, headers: {} };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const headers: Record<string, string> = {};
      let message = exception.message;
      let details: unknown;
      let code = HTTP_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'REQUEST_FAILED');
      if (typeof response === 'object' && response !== null) {
        const r = response as { message?: unknown; code?: unknown; details?: unknown; headers?: unknown };
        if (Array.isArray(r.message)) {
          // ValidationPipe: one line per failed constraint; the field comes first in each line.
          details = r.message;
          message = (r.message as string[]).join('; ');
        } else if (typeof r.message === 'string') {
          message = r.message;
        }
        if (typeof r.code === 'string') {
          code = r.code;
        }
        if (r.details !== undefined) {
          details = r.details;
        }
        if (typeof r.headers === 'object' && r.headers !== null) {
          Object.assign(headers, r.headers);
        }
      }
      const body: ErrorBody = { statusCode: status, code, message, requestId };
      if (details !== undefined) {
        body.details = details;
      }
      return { body, headers };
    }
    this.logger.error({ err: exception, requestId }, 'unhandled error');
    return {
      body: {
        statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
        code: 'INTERNAL_ERROR',
        message: 'Internal server error',
        requestId,
      },
      headers: {},
    };
  }
}
