import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { CatalogService } from '../catalog/catalog.service.js';
import { type Identity } from '../identities/identity.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import { type Schedule } from '../pacing/schedule.js';
import { CALENDAR_DAYS, type CalendarInput, nextOpenAt, type OpenInterval, openIntervals } from '../pacing/working-hours.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MAX_CACHED = 20_000;

export interface IdentityCalendar {
  schedule: Schedule | null;
  /** Where the schedule comes from: the identity's own, the workspace's default, or none (any time). */
  source: 'identity' | 'workspace' | null;
  /** Open intervals ending after now, for the next ~8 days; null: any time. */
  intervals: OpenInterval[] | null;
  input: CalendarInput;
}

/**
 * The working hours of an identity as the guard needs them: its own schedule or its workspace's
 * default, resolved to open intervals in its time zone. The intervals of an hour are computed once
 * (a guard call costs a map lookup), keyed by everything they depend on.
 */
@Injectable()
export class WorkingHoursService {
  private readonly cache = new LRUCache<string, OpenInterval[]>({ max: MAX_CACHED });

  constructor(
    private readonly workspaces: WorkspacesService,
    private readonly catalog: CatalogService,
  ) {}

  /**
   * untilMs: the calendar must reach at least this far (schedule mode plans up to not_after and
   * reports the opening after it); by default ~8 days ahead.
   */
  async calendarOf(identity: Identity, nowMs: number, untilMs?: number): Promise<IdentityCalendar> {
    const own = identity.schedule ?? null;
    const schedule = own ?? (await this.workspaces.defaultSchedule(identity.workspaceId));
    const source = own ? 'identity' : schedule ? 'workspace' : null;
    const input: CalendarInput = {
      schedule,
      timezone: identity.timezone,
      identityId: identity.id,
      startJitterMinutes: this.catalog.get().pacing.start_jitter_minutes,
    };
    return { schedule, source, intervals: this.intervals(input, nowMs, untilMs), input };
  }

  /** The first open time at or after `t`, however far (null: never, which a valid schedule is not). */
  nextOpenAt(input: CalendarInput, t: number): number | null {
    return nextOpenAt(input, t);
  }

  private intervals(input: CalendarInput, nowMs: number, untilMs?: number): OpenInterval[] | null {
    if (!input.schedule) return null;
    const hour = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
    const days = untilMs === undefined ? CALENDAR_DAYS : Math.max(CALENDAR_DAYS, Math.ceil((untilMs - hour) / DAY_MS) + 1);
    const key = `${input.identityId}|${input.timezone}|${input.startJitterMinutes}|${JSON.stringify(input.schedule)}|${hour}|${days}`;
    let all = this.cache.get(key);
    if (!all) {
      all = openIntervals(input, hour, days)!;
      this.cache.set(key, all);
    }
    return all.filter(([, e]) => e > nowMs);
  }
}
