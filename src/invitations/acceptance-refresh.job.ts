import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { ADVISORY_LOCKS, tryWithAdvisoryLock } from '../database/advisory-lock.js';
import { INVITATION_RULES } from './invitation-rules.js';
import { InvitationsRepository } from './invitations.repository.js';
import { InvitationsService } from './invitations.service.js';

/** The sample (sent 7–37 days ago) slides by the minute; every 5 minutes keeps the factor at most that late. */
const ACCEPTANCE_REFRESH_INTERVAL_MS = 5 * 60_000;
const PAGE = 200;
const DAY_MS = 86_400_000;

/**
 * Recomputes the acceptance rate of every identity whose sample can still move (it sent invitations
 * in the last 37 days, or its stored state is not ok) — a rate changes with time alone, as
 * invitations age into and out of the sample — emits the crossings and corrects drifted pending
 * counts in Redis. One pass at a time across instances (advisory lock); each identity's change also
 * runs under its own lock, so a report at the same moment cannot emit the same crossing twice.
 */
@Injectable()
export class AcceptanceRefreshJob implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AcceptanceRefresh');
  private current: Promise<number | undefined> | null = null;
  private stopped = false;

  constructor(
    private readonly repo: InvitationsRepository,
    private readonly invitations: InvitationsService,
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  @Interval('acceptance-refresh', ACCEPTANCE_REFRESH_INTERVAL_MS)
  tick(): Promise<number | undefined> | undefined {
    if (!this.config.jobsEnabled || this.stopped || this.current) return this.current ?? undefined;
    this.current = tryWithAdvisoryLock(this.ds, ADVISORY_LOCKS.invitationRefresh, () => this.runOnce())
      .catch((e: Error) => {
        this.logger.warn(`acceptance refresh failed: ${e.message}`);
        return undefined;
      })
      .finally(() => (this.current = null));
    return this.current;
  }

  /** One pass; returns how many identities were refreshed. */
  async runOnce(): Promise<number> {
    const since = new Date(this.clock.now().getTime() - (INVITATION_RULES.sampleMaxAgeDays + 1) * DAY_MS);
    let after: string | null = null;
    let done = 0;
    for (;;) {
      const refs = await this.repo.identitiesToRefresh(since, after, PAGE);
      for (const ref of refs) {
        if (this.stopped) return done;
        try {
          await this.invitations.refresh(ref);
          done++;
        } catch (e) {
          this.logger.warn({ identityId: ref.identityId }, `acceptance refresh of one identity failed: ${(e as Error).message}`);
        }
      }
      if (refs.length < PAGE) return done;
      after = refs[refs.length - 1].identityId;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.current;
  }
}
