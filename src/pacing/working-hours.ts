import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { minutesOf, type Schedule } from './schedule.js';

/** [start, end) in epoch ms. */
export type OpenInterval = [number, number];

const DAY_MS = 86_400_000;
/** How far ahead the guard gets the calendar: a week and a day covers every weekly schedule. */
export const CALENDAR_DAYS = 8;

export interface CalendarInput {
  /** null: any time (the identity and its workspace set no working hours). */
  schedule: Schedule | null;
  /** The identity's IANA time zone. */
  timezone: string;
  identityId: string;
  /** The catalog's start_jitter_minutes, unless the schedule gives its own. */
  startJitterMinutes: number;
}

/**
 * The stable daily start offset in seconds: a hash of the identity and the local date, so it is the
 * same for every call of a day (and on every instance), differs across identities, and changes
 * from day to day. At most half the day's open span, so a short day is never closed by it.
 */
export function startOffsetSeconds(identityId: string, localDate: string, jitterMinutes: number, openSeconds: number): number {
  const bound = Math.min(jitterMinutes * 60, Math.floor(openSeconds / 2));
  if (bound <= 0) return 0;
  const h = parseInt(createHash('sha1').update(`${identityId}|${localDate}`).digest('hex').slice(0, 8), 16);
  return h % (bound + 1);
}

/**
 * The open intervals of the schedule that end after `fromMs` and start before `fromMs + days`,
 * ascending and merged; null when there is no schedule (always open). Local times are resolved in
 * the identity's zone by luxon (IANA data from the runtime's Intl): a wall time skipped by a
 * spring-forward moves forward by the gap; one that occurs twice at a fall-back is its second
 * occurrence. Each day's interval is [start + offset, end), the end exclusive.
 */
export function openIntervals(input: CalendarInput, fromMs: number, days = CALENDAR_DAYS): OpenInterval[] | null {
  const { schedule, timezone } = input;
  if (!schedule) return null;
  const jitter = schedule.start_jitter_minutes ?? input.startJitterMinutes;
  const startMin = minutesOf(schedule.start);
  const endMin = minutesOf(schedule.end);
  const until = fromMs + days * DAY_MS;
  const first = DateTime.fromMillis(fromMs, { zone: timezone }).startOf('day').minus({ days: 1 });
  if (!first.isValid) throw new Error(`Unknown time zone ${timezone}`);
  const out: OpenInterval[] = [];
  for (let d = 0; d <= days + 1; d++) {
    const date = first.plus({ days: d });
    if (!schedule.days.includes(date.weekday)) continue;
    const at = (minutes: number) =>
      minutes >= 1440
        ? date.plus({ days: 1 }).startOf('day').toMillis()
        : DateTime.fromObject(
            { year: date.year, month: date.month, day: date.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
            { zone: timezone },
          ).toMillis();
    const opens = at(startMin);
    const closes = at(endMin);
    const start = opens + startOffsetSeconds(input.identityId, date.toISODate(), jitter, Math.max(0, (closes - opens) / 1000)) * 1000;
    if (closes <= start || closes <= fromMs || start >= until) continue;
    const last = out[out.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], closes);
    else out.push([start, closes]);
  }
  return out;
}

/** Whether `t` is inside an interval (start inclusive, end exclusive); null intervals: always. */
export function isOpenAt(intervals: OpenInterval[] | null, t: number): boolean {
  if (!intervals) return true;
  return intervals.some(([s, e]) => s <= t && t < e);
}

/**
 * `t` itself when open, else the next opening after it; undefined when none is inside the
 * calendar's horizon (the caller computes a later calendar from there).
 */
export function openAtOrAfter(intervals: OpenInterval[] | null, t: number): number | undefined {
  if (!intervals) return t;
  for (const [s, e] of intervals) {
    if (t < e) return Math.max(s, t);
  }
  return undefined;
}

/**
 * The first open time at or after `t`, looking as far ahead as needed (weeks of calendars), or
 * null for a schedule that never opens (cannot happen for a valid schedule; kept finite anyway).
 */
export function nextOpenAt(input: CalendarInput, t: number): number | null {
  for (let k = 0; k < 6; k++) {
    const from = t + k * CALENDAR_DAYS * DAY_MS;
    const at = openAtOrAfter(openIntervals(input, from), Math.max(t, from));
    if (at !== undefined) return at;
  }
  return null;
}

/** When the interval holding `t` closes (exclusive end); null when always open or closed at `t`. */
export function closesAfter(intervals: OpenInterval[] | null, t: number): number | null {
  if (!intervals) return null;
  return intervals.find(([s, e]) => s <= t && t < e)?.[1] ?? null;
}
