import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { JournalWriter } from './journal-writer.service.js';
import { JournalRepository } from './journal.repository.js';
import { type JournalEntry, type StandingAction } from './journal.types.js';

/** What other features use of the journal: queue a change, flush, read an identity's history. */
@Injectable()
export class JournalService {
  constructor(
    private readonly writer: JournalWriter,
    private readonly repo: JournalRepository,
    private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return this.writer.enabled;
  }

  get retentionDays(): number {
    return this.config.journal.retentionDays;
  }

  /** Queues a change of an identity's windows; never waits (the guard's round trip stays one). */
  add(entry: JournalEntry): void {
    this.writer.add(entry);
  }

  /** Writes what this instance has queued; throws when PostgreSQL does not take it. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Rows waiting in this instance. */
  get pending(): number {
    return this.writer.pending;
  }

  standingSince(identityId: string, sinceMs: number): Promise<StandingAction[]> {
    return this.repo.standingSince(identityId, sinceMs);
  }

  unitsPerBucket(workspaceId: string, identityId: string, fromMs: number, toMs: number, bucketMs: number) {
    return this.repo.unitsPerBucket(workspaceId, identityId, fromMs, toMs, bucketMs);
  }
}
