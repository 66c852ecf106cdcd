import { CommonErrorLabel } from './error-labels.js';

/**
 * The one error type features throw. The global filter renders it as the envelope of SPEC §8:
 * `{"error": {"code", "status", "error_label", "message", "details"}}`; `headers` go on the response.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorLabel: string | null,
    message: string,
    readonly details?: Record<string, unknown> | unknown[],
    readonly headers?: Record<string, string>,
    /** A body in another documented shape (the seed's rate-limit 429), sent instead of the envelope. */
    readonly rawBody?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static badRequest(message: string, details?: Record<string, unknown> | unknown[]): ApiError {
    return new ApiError(400, CommonErrorLabel.VALIDATION_FAILED, message, details);
  }

  static notFound(what: string): ApiError {
    return new ApiError(404, CommonErrorLabel.NOT_FOUND, `${what} not found`);
  }

  static unauthorized(message = 'A valid API key is required'): ApiError {
    return new ApiError(401, CommonErrorLabel.UNAUTHORIZED, message);
  }

  static conflict(message: string, details?: Record<string, unknown>): ApiError {
    return new ApiError(409, CommonErrorLabel.CONFLICT, message, details);
  }

  static storeUnavailable(store: 'redis' | 'postgres', retryAfterSeconds = 1): ApiError {
    return new ApiError(
      503,
      CommonErrorLabel.STORE_UNAVAILABLE,
      `The ${store === 'redis' ? 'Redis' : 'PostgreSQL'} store cannot be reached; retry shortly`,
      { store, retryable: true },
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}
