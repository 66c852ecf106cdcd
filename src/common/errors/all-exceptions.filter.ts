import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiError } from './api-error.js';
import { errorEnvelope } from './error-envelope.js';
import { CommonErrorLabel } from './error-labels.js';
import { storeOfError } from './store-errors.js';

const LABEL_BY_STATUS: Record<number, string> = {
  400: CommonErrorLabel.VALIDATION_FAILED,
  401: CommonErrorLabel.UNAUTHORIZED,
  403: CommonErrorLabel.FORBIDDEN,
  404: CommonErrorLabel.NOT_FOUND,
  405: CommonErrorLabel.METHOD_NOT_ALLOWED,
  409: CommonErrorLabel.CONFLICT,
  413: CommonErrorLabel.PAYLOAD_TOO_LARGE,
  415: CommonErrorLabel.UNSUPPORTED_MEDIA_TYPE,
  429: CommonErrorLabel.RATE_LIMITED,
};

export interface RenderedError {
  status: number;
  /** The SPEC section 8 envelope (see error-envelope.ts), or an HttpException's own body. */
  body: unknown;
  headers: Record<string, string>;
}

/**
 * Turns anything thrown into the envelope of SPEC §8. Shared by the Nest filter and Fastify's own
 * error handler (body parsing, size limits), so both paths answer the same way.
 */
export function renderError(exception: unknown, logger: Logger, requestId?: string): RenderedError {
  if (exception instanceof ApiError) {
    return {
      status: exception.status,
      body: exception.rawBody ?? errorEnvelope(exception.status, exception.errorLabel, exception.message, exception.details),
      headers: exception.headers ?? {},
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let message = exception.message;
    if (typeof response === 'object' && response && 'message' in response) {
      const m = response.message;
      message = Array.isArray(m) ? m.join('; ') : String(m);
    }
    if (status === 404 && /^Cannot [A-Z]+ /.test(message)) message = `No route: ${message.slice(7)}`;
    return {
      status,
      body: errorEnvelope(status, LABEL_BY_STATUS[status] ?? null, message),
      headers: {},
    };
  }
  // Errors raised by Fastify itself (body too large, bad JSON, bad content type) carry statusCode.
  const fst = exception as { statusCode?: number; code?: string; message?: string };
  if (typeof fst?.statusCode === 'number' && fst.statusCode >= 400 && fst.statusCode < 500) {
    const status = fst.statusCode;
    let message = fst.message ?? 'Bad request';
    if (fst.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = 'Request body is larger than 64 KiB';
    if (fst.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = 'Content-Type must be application/json';
    if (fst.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') message = 'Body is empty but Content-Type is application/json';
    if (fst.code?.startsWith('FST_ERR_CTP_INVALID_JSON') || /JSON/.test(message)) {
      message = `Body is not valid JSON: ${fst.message ?? ''}`.trim();
    }
    return { status, body: errorEnvelope(status, LABEL_BY_STATUS[status] ?? null, message), headers: {} };
  }
  const store = storeOfError(exception);
  if (store) {
    logger.warn({ err: exception, requestId, store }, `store unavailable: ${store}`);
    const e = ApiError.storeUnavailable(store);
    return {
      status: 503,
      body: errorEnvelope(503, e.errorLabel, e.message, e.details),
      headers: e.headers ?? {},
    };
  }
  const errorId = randomUUID();
  logger.error({ err: exception, errorId, requestId }, `unexpected error ${errorId}`);
  return {
    status: 500,
    body: errorEnvelope(500, CommonErrorLabel.INTERNAL_ERROR, 'Unexpected error; quote error_id when reporting it', undefined, errorId),
    headers: {},
  };
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<{ id?: string }>();
    const reply = ctx.getResponse<unknown>();
    const rendered = renderError(exception, this.logger, request?.id);
    const adapter = this.adapterHost.httpAdapter;
    for (const [k, v] of Object.entries(rendered.headers)) adapter.setHeader(reply, k, v);
    adapter.reply(reply, rendered.body, rendered.status);
  }
}
