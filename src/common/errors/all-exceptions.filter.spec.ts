import { describe, expect, it } from '@jest/globals';
import { NotFoundException } from '@nestjs/common';
import { ApiError } from './api-error.js';
import { renderError } from './all-exceptions.filter.js';

function recordingLogger() {
  const calls: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const logger = {
    error: (obj: Record<string, unknown>, msg: string) => calls.push({ level: 'error', obj, msg }),
    warn: (obj: Record<string, unknown>, msg: string) => calls.push({ level: 'warn', obj, msg }),
  };
  return { logger: logger as never, calls };
}

describe('renderError', () => {
  it('turns an unexpected error into a 500 whose error_id the log carries', () => {
    const { logger, calls } = recordingLogger();
    const r = renderError(new TypeError('boom'), logger, 'req-1');
    expect(r.status).toBe(500);
    const body = r.body as { error: { error_id: string; error_label: string; message: string } };
    expect(body.error.error_label).toBe('INTERNAL_ERROR');
    expect(body.error.error_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.error.message).not.toContain('boom');
    expect(calls).toHaveLength(1);
    expect(calls[0].obj).toMatchObject({ errorId: body.error.error_id, requestId: 'req-1' });
  });

  it('renders ApiError with its headers and Nest HTTP errors with a label', () => {
    const { logger } = recordingLogger();
    const r = renderError(new ApiError(409, 'CONFLICT', 'taken', { a: ['b'] }, { 'X-Test': '1' }), logger);
    expect(r).toEqual({
      status: 409,
      body: { error: { code: 409, status: 'Conflict', error_label: 'CONFLICT', message: 'taken', details: { a: ['b'] } } },
      headers: { 'X-Test': '1' },
    });
    const nf = renderError(new NotFoundException('Cannot GET /x'), logger);
    expect(nf.status).toBe(404);
    expect((nf.body as { error: { error_label: string } }).error.error_label).toBe('NOT_FOUND');
  });

  it('answers 503 STORE_UNAVAILABLE for store failures, never 500', () => {
    const { logger } = recordingLogger();
    const r = renderError(new Error('Connection is closed.'), logger);
    expect(r.status).toBe(503);
    expect(r.headers['Retry-After']).toBe('1');
    const pg = renderError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), logger);
    expect(pg.status).toBe(503);
  });

  it('keeps Fastify body errors as 4xx', () => {
    const { logger } = recordingLogger();
    expect(renderError(Object.assign(new Error('too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }), logger).status).toBe(413);
    expect(
      renderError(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), logger).status,
    ).toBe(415);
  });
});
