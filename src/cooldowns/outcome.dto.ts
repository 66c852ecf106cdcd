import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';

/** The largest `body` a worker may report; the classifier reads no further anyway. */
const MAX_OUTCOME_BODY_BYTES = 16 * 1024;
const MAX_HEADERS = 100;

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''), 'utf8');
}

/** A string or a JSON object/array of at most 16 KiB (UTF-8; objects measured as JSON). */
function IsOutcomeBody(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isOutcomeBody',
      validator: {
        validate: (v: unknown) => v === null || ((typeof v === 'string' || typeof v === 'object') && jsonBytes(v) <= MAX_OUTCOME_BODY_BYTES),
        defaultMessage: (a) =>
          typeof a?.value === 'string' || (typeof a?.value === 'object' && a.value !== null)
            ? `body must be at most ${MAX_OUTCOME_BODY_BYTES} bytes (16 KiB); send the start of the page`
            : 'body must be a string or a JSON object',
      },
    },
    options,
  );
}

/** An object of at most 100 headers whose values are strings, numbers or arrays of strings. */
function IsOutcomeHeaders(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isOutcomeHeaders',
      validator: {
        validate: (v: unknown) => {
          if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
          const entries = Object.entries(v);
          if (entries.length > MAX_HEADERS || jsonBytes(v) > MAX_OUTCOME_BODY_BYTES) return false;
          return entries.every(
            ([, x]) => typeof x === 'string' || typeof x === 'number' || (Array.isArray(x) && x.every((y) => typeof y === 'string')),
          );
        },
        defaultMessage: () =>
          `headers must be an object of at most ${MAX_HEADERS} names whose values are strings, numbers or arrays of strings (≤ 16 KiB in all)`,
      },
    },
    options,
  );
}

export class OutcomeDto {
  @ApiProperty({
    example: 'linkedin-connect-profile',
    description: 'The action the worker performed (GET /v1/catalog)',
    minLength: 1,
    maxLength: 200,
  })
  @IsString()
  @Length(1, 200)
  action_slug!: string;

  @ApiPropertyOptional({
    example: 'job-81723-step-2',
    description: "The caller's id of the action (as given to the guard)",
    minLength: 1,
    maxLength: 128,
  })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  action_id?: string;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 999,
    example: 429,
    description: 'HTTP status the worker got; 0 when there was no answer (timeout, network error)',
  })
  @IsInt()
  @Min(0)
  @Max(999)
  status_code!: number;

  @ApiPropertyOptional({
    type: 'object',
    maxProperties: MAX_HEADERS,
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'array', items: { type: 'string' } }] },
    example: { 'retry-after': '3600' },
    description: 'The response headers the worker got (at most 100 names, 16 KiB in all)',
  })
  @IsOptional()
  @IsOutcomeHeaders()
  headers?: Record<string, string | number | string[]>;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }, { type: 'array', items: {} }],
    nullable: true,
    description: 'The response body (≤ 16 KiB): text as a string, JSON as an object or a string',
  })
  @IsOptional()
  @IsOutcomeBody()
  body?: string | Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 128,
    example: 'STATUS_429',
    description: 'A label the worker or the automation API gave (e.g. Edges error_label)',
  })
  @IsOptional()
  @IsString()
  @Length(0, 128)
  error_label?: string | null;
}
