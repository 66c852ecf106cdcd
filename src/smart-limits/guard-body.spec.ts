import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { type ArgumentMetadata } from '@nestjs/common';
import fc from 'fast-check';
import { ApiError } from '../common/errors/api-error.js';
import { compiledBody } from '../common/validation/compiled-validation.js';
import { createValidationPipe } from '../common/validation/validation.pipe.js';
import { AutoGuardDto, GuardDto, ReleaseDto } from './guard.dto.js';

const compiled = createValidationPipe();
const reference = createValidationPipe({ compiled: false });

type Result = { ok: unknown } | { status: number; message: string; details: unknown };

async function outcome(pipe: typeof compiled, value: unknown, metatype: ArgumentMetadata['metatype']): Promise<Result> {
  try {
    return { ok: await pipe.transform(structuredClone(value), { type: 'body', metatype }) };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { status: e.status, message: e.message, details: e.details };
  }
}

/** Values a client may put in any field: right and wrong types, edges of every range and length. */
const anyValue = fc.oneof(
  fc.constantFrom(
    '',
    'x',
    'x'.repeat(128),
    'x'.repeat(129),
    'x'.repeat(256),
    'x'.repeat(257),
    '\uFE0F',
    'latest',
    '\uD83D\uDE00'.repeat(128),
    '2026-01-02T03:04:05Z',
    '2026-01-02T03:04:05.123+02:00',
    '2026-02-30T00:00:00Z',
    '2026-13-45T99:00:00Z',
    '20260102T030405Z',
    '2026-01-02',
    'nope',
    '00000000-0000-4000-8000-000000000000',
    'earliest',
    0,
    1,
    -1,
    1.5,
    10_000,
    10_001,
    1e20,
    true,
    false,
    null,
  ),
  fc.string({ maxLength: 200 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.constantFrom('00000000-0000-4000-8000-000000000000', 'not-a-uuid', 1, null), { maxLength: 3 }),
  fc.constant({ nested: 1 }),
);

const body = (fields: string[]) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.dictionary(fc.constantFrom(...fields, 'extra'), anyValue, { maxKeys: fields.length + 1 }) },
    // Mostly valid bodies, so the compiled path is exercised on what passes too.
    {
      weight: 8,
      arbitrary: fc.record(
        {
          action_id: fc.string({ minLength: 1, maxLength: 40 }),
          cost: fc.integer({ min: 1, max: 10_000 }),
          dry_run: fc.boolean(),
          occurred_at: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
          target: fc.string({ minLength: 1, maxLength: 40 }),
          identity_ids: fc.array(fc.uuid(), { minLength: 1, maxLength: 3 }),
          when: fc.constantFrom('earliest', 'latest'),
          not_before: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
          not_after: fc.constantFrom('2026-01-02T03:04:05Z', '2026-01-02', 'soon'),
        },
        { requiredKeys: ['action_id'] },
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(null, undefined, 'text', 42, [], [{ action_id: 'x' }], {}) },
  );

describe('compiled validation of the guard bodies', () => {
  for (const [dto, fields] of [
    [GuardDto, ['action_id', 'cost', 'occurred_at', 'dry_run', 'target', 'when', 'not_before', 'not_after']],
    [AutoGuardDto, ['action_id', 'identity_ids', 'cost', 'dry_run', 'when', 'not_before', 'not_after']],
    [ReleaseDto, ['action_id']],
  ] as const) {
    it(`${dto.name}: the same instance or the same 400 as class-validator alone, for any body`, async () => {
      await fc.assert(
        fc.asyncProperty(body([...fields]), async (value) => {
          const [a, b] = await Promise.all([outcome(compiled, value, dto), outcome(reference, value, dto)]);
          expect(a).toStrictEqual(b);
          // What class-validator passes, the compiled check passes by itself (no fallback on the hot path).
          if ('ok' in b) expect(compiledBody(dto, structuredClone(value))).toStrictEqual(b.ok);
        }),
        { numRuns: 1500 },
      );
    });
  }

  it('lists every problem of a body with several at once', async () => {
    const r = await outcome(
      compiled,
      { action_id: '', cost: 1.5, occurred_at: '2026-13-45T99:00:00Z', dry_run: 'yes', target: '', extra: 1 },
      GuardDto,
    );
    expect(r).toStrictEqual({
      status: 400,
      message: 'Invalid request: 6 fields failed validation (extra, action_id, cost, occurred_at, dry_run, target)',
      details: {
        extra: ['unknown field'],
        action_id: ['action_id must be longer than or equal to 1 characters'],
        cost: ['cost must be an integer number'],
        occurred_at: ['occurred_at must be a valid ISO 8601 date string'],
        dry_run: ['dry_run must be a boolean value'],
        target: ['target must be longer than or equal to 1 characters'],
      },
    });
  });

  it('answers a valid body with an instance of the DTO', async () => {
    const r = await outcome(compiled, { action_id: 'a', cost: 3 }, GuardDto);
    expect('ok' in r && r.ok instanceof GuardDto).toBe(true);
    expect(r).toStrictEqual({ ok: Object.assign(new GuardDto(), { action_id: 'a', cost: 3 }) });
  });
});
