import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { HTTP_STATUS_TEXT } from '../errors/error-labels.js';

export const ERROR_ENVELOPE_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'status', 'error_label', 'message'],
      properties: {
        code: { type: 'integer', example: 400 },
        status: { type: 'string', example: 'Bad Request' },
        error_label: { type: 'string', nullable: true, example: 'VALIDATION_FAILED' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
        error_id: { type: 'string', description: 'Only on 500: quote it when reporting; the log carries it' },
      },
    },
  },
};

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; every field problem is listed in details',
  401: 'Missing, invalid or revoked API key',
  403: 'Not allowed for this identity (e.g. NO_VALID_ACCOUNT_CONFIGURED)',
  404: "Not found (including other workspaces' resources)",
  409: 'Conflicts with existing data',
  413: 'Body larger than 64 KiB',
  429: 'Rate limited (see Retry-After)',
  503: 'STORE_UNAVAILABLE: Redis or PostgreSQL cannot be reached; retryable',
};

/** Documents error responses in the envelope of SPEC §8. */
export function ApiErrors(...codes: number[]) {
  return applyDecorators(
    ...codes.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status] ?? HTTP_STATUS_TEXT[status], schema: ERROR_ENVELOPE_SCHEMA })),
  );
}
