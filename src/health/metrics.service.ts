import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per app instance (tests run several in one process). Features add their metrics here. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'smart_limits_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly guardDecisions = new Counter({
    name: 'smart_limits_guard_decisions_total',
    help: 'Guard decisions by outcome (allowed, limit_reached, cooldown, api_limited, duplicate, fail_open)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'smart_limits_store_errors_total',
    help: 'Requests answered 503 because a store was unreachable',
    labelNames: ['store'] as const,
    registers: [this.registry],
  });

  readonly journalRowsWritten = new Counter({
    name: 'smart_limits_journal_rows_written_total',
    help: 'Action journal rows written to PostgreSQL (recordings and releases)',
    registers: [this.registry],
  });
  readonly journalRowsDropped = new Counter({
    name: 'smart_limits_journal_rows_dropped_total',
    help: 'Action journal rows lost: over JOURNAL_MAX_PENDING_ROWS while PostgreSQL was unreachable, refused by it, or unwritten at shutdown',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly journalFlushFailures = new Counter({
    name: 'smart_limits_journal_flush_failures_total',
    help: 'Journal batches that PostgreSQL did not take (kept in memory and retried)',
    registers: [this.registry],
  });
  readonly journalPending = new Gauge({
    name: 'smart_limits_journal_pending_rows',
    help: 'Journal rows waiting in this instance for their batch',
    registers: [this.registry],
  });
  readonly identityRebuilds = new Histogram({
    name: 'smart_limits_identity_rebuild_seconds',
    help: "Rebuilds of an identity's Redis state from PostgreSQL after its marker was missing (data loss or first use)",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'smart_limits_' });
  }
}
