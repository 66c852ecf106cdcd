import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError } from '../errors/api-error.js';
import { compiledBody } from './compiled-validation.js';

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

/**
 * The global pipe: a body whose DTO is marked `@CompiledBody()` and that passes its compiled check
 * is taken as it is (the guard's hot path); everything else, and every 400, is class-validator's.
 */
class BodyValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const valid = metadata.type === 'body' ? compiledBody(metadata.metatype, value) : null;
    return valid ? Promise.resolve(valid) : super.transform(value, metadata);
  }
}

const OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  validationError: { target: false, value: false },
  exceptionFactory: (errors: ValidationError[]) => validationFailed(flattenValidationErrors(errors)),
};

/** The global pipe; `compiled: false` is class-validator alone (the reference the compiled check is tested against). */
export function createValidationPipe(opts: { compiled?: boolean } = {}): ValidationPipe {
  return opts.compiled === false ? new ValidationPipe(OPTIONS) : new BodyValidationPipe(OPTIONS);
}

/**
 * class-validator asks its container for every constraint of every field on every validation, and
 * Nest's container answers a class it does not hold (all of class-validator's own) by throwing, a
 * stack trace each time. Asked once per class here and remembered; unknown classes fall back to
 * class-validator's default container, as before.
 */
export function constraintContainer(app: { get(cls: unknown): unknown }): { get<T>(cls: unknown): T } {
  const known = new Map<unknown, unknown>();
  return {
    get<T>(cls: unknown): T {
      if (!known.has(cls)) {
        let instance: unknown;
        try {
          instance = app.get(cls);
        } catch {
          instance = undefined;
        }
        known.set(cls, instance);
      }
      return known.get(cls) as T;
    },
  };
}
