import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError } from '../errors/api-error.js';

/** class-validator's type checks: when one fails, the field's range and length checks are noise. */
const TYPE_CONSTRAINTS = new Set(['isInt', 'isNumber', 'isString', 'isBoolean', 'isArray', 'isObject', 'isIso8601', 'isDateString']);

/**
 * A field's problems, stopping at its type: `"lots"` for an integer is "must be an integer number",
 * not also "must not be less than 0" and "must not be greater than …".
 */
function problemsOf(constraints: Record<string, string>): string[] {
  const typeErrors = Object.entries(constraints).filter(([name]) => TYPE_CONSTRAINTS.has(name));
  const shown = typeErrors.length ? typeErrors : Object.entries(constraints);
  return shown.map(([, m]) => (m.startsWith('property ') && m.endsWith(' should not exist') ? 'unknown field' : m));
}

/** Flattens class-validator's tree into `{ "a.b[0].c": ["problem", …] }`, every field listed. */
function flattenValidationErrors(errors: ValidationError[], parent = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors) {
    const path = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    if (e.constraints) out[path] = problemsOf(e.constraints);
    if (e.children?.length) Object.assign(out, flattenValidationErrors(e.children, path));
  }
  return out;
}

/** The 400 of SPEC §8 naming every field that failed (field path → problems). */
export function validationFailed(details: Record<string, string[]>): ApiError {
  const fields = Object.keys(details);
  return ApiError.badRequest(
    `Invalid request: ${fields.length} field${fields.length === 1 ? '' : 's'} failed validation (${fields.join(', ')})`,
    details,
  );
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}
