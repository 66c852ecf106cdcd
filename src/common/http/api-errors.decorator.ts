import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { HTTP_STATUS_TEXT } from '../errors/error-labels.js';

/** A reference to the one error schema (components.schemas.ErrorEnvelope, defined in openapi.ts). */
export const ERROR_ENVELOPE_REF = { $ref: '#/components/schemas/ErrorEnvelope' };

export const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION_FAILED: invalid input; every field problem is listed in details (field path → problems)',
  401: 'UNAUTHORIZED: missing, invalid or revoked API key',
  403: 'NO_VALID_ACCOUNT_CONFIGURED: the account type cannot perform this action',
  404: "NOT_FOUND (including other workspaces' resources)",
  409: 'CONFLICT: conflicts with existing data',
  413: 'PAYLOAD_TOO_LARGE: body larger than 64 KiB',
  415: 'UNSUPPORTED_MEDIA_TYPE: the body must be application/json',
  429: 'Rate limited: see Retry-After',
  500: 'INTERNAL_ERROR: unexpected; quote error_id when reporting it (the log carries it)',
  503: 'STORE_UNAVAILABLE: Redis or PostgreSQL cannot be reached; retry after Retry-After',
};

/**
 * Documents error responses of a route in the envelope of SPEC §8 (one schema, by reference), with
 * an optional description naming the route's own labels. The statuses every route of a kind shares
 * (401, 429, 500, 503, and 400/413/415 for bodies) are added to the document by openapi.ts.
 */
export function ApiErrors(...codes: (number | { status: number; description: string })[]) {
  return applyDecorators(
    ...codes.map((c) => {
      const status = typeof c === 'number' ? c : c.status;
      const description = typeof c === 'number' ? (ERROR_DESCRIPTIONS[status] ?? HTTP_STATUS_TEXT[status]) : c.description;
      return ApiResponse({ status, description, schema: ERROR_ENVELOPE_REF });
    }),
  );
}

/** Routes anyone may call (health probes): `security: []` in the document. */
export const ApiPublic = () => SetMetadata('swagger/apiSecurity', []);
