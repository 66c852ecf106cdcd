import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError } from '../errors/api-error.js';

/** Flattens class-validator's tree into `{ "a.b[0].c": ["problem", …] }`, every field listed. */
function flattenValidationErrors(errors: ValidationError[], parent = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors) {
    const path = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    if (e.constraints) {
      out[path] = Object.values(e.constraints).map((m) => (m.startsWith('property ') && m.endsWith(' should not exist') ? 'unknown field' : m));
    }
    if (e.children?.length) Object.assign(out, flattenValidationErrors(e.children, path));
  }
  return out;
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      const fields = Object.keys(details);
      return ApiError.badRequest(
        `Invalid request: ${fields.length} field${fields.length === 1 ? '' : 's'} failed validation (${fields.join(', ')})`,
        details,
      );
    },
  });
}
