import { z } from 'zod';

/**
 * Working hours (SPEC 4b): ISO weekdays (1 = Monday … 7 = Sunday), a local start and an exclusive
 * local end in the identity's time zone. `start_jitter_minutes` overrides the catalog's daily start
 * offset for this schedule (0 opens on the minute, which with "00:00"–"24:00" on every day is
 * "always open").
 */
export interface Schedule {
  days: number[];
  start: string;
  end: string;
  start_jitter_minutes?: number;
}

const MAX_START_JITTER_MINUTES = 240;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HHMM_END = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** Minutes after local midnight ("24:00" is 1440). */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

const scheduleSchema = z
  .strictObject(
    {
      days: z
        .array(
          z
            .int({ error: 'must be ISO weekdays from 1 (Monday) to 7 (Sunday)' })
            .min(1, { error: 'must be from 1 to 7' })
            .max(7, { error: 'must be from 1 to 7' }),
          {
            error: 'must be an array of ISO weekdays (1 = Monday … 7 = Sunday)',
          },
        )
        .min(1, { error: 'must name at least one weekday (use null for "any time")' })
        .max(7, { error: 'must name at most 7 weekdays' })
        .refine((d) => new Set(d).size === d.length, { error: 'must not repeat a weekday' }),
      start: z.string({ error: 'must be a local time "HH:MM"' }).regex(HHMM, { error: 'must be a local time "HH:MM" from 00:00 to 23:59' }),
      end: z
        .string({ error: 'must be a local time "HH:MM"' })
        .regex(HHMM_END, { error: 'must be a local time "HH:MM" from 00:01 to 24:00 (exclusive)' }),
      start_jitter_minutes: z
        .int({ error: `must be an integer number of minutes from 0 to ${MAX_START_JITTER_MINUTES}` })
        .min(0, { error: 'must be ≥ 0' })
        .max(MAX_START_JITTER_MINUTES, { error: `must be at most ${MAX_START_JITTER_MINUTES}` })
        .optional(),
    },
    { error: 'must be an object {"days", "start", "end"} or null' },
  )
  .refine((s) => !HHMM.test(s.start) || !HHMM_END.test(s.end) || minutesOf(s.start) < minutesOf(s.end), {
    error: 'must end after it starts on the same day (end is exclusive; "24:00" ends at midnight)',
    path: ['end'],
  });

/**
 * Every problem of a schedule, keyed like the 400 envelope's details (`schedule.days`, …);
 * empty when valid. `null` (any time) is valid.
 */
export function scheduleProblems(value: unknown, field = 'schedule'): Record<string, string[]> {
  if (value === null) return {};
  const parsed = scheduleSchema.safeParse(value);
  if (parsed.success) return {};
  const details: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) (details[`${field}.${k}`] ??= []).push('unknown field');
      continue;
    }
    const key = [field, ...issue.path.filter((p) => typeof p === 'string')].join('.');
    (details[key] ??= []).push(issue.message);
  }
  return details;
}

/** A valid schedule with its days sorted, or null; throws on an invalid one (validate first). */
export function normalizeSchedule(value: unknown): Schedule | null {
  if (value === null || value === undefined) return null;
  const s = scheduleSchema.parse(value);
  return { ...s, days: [...s.days].sort((a, b) => a - b) };
}
