import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { type ClassifiedErrorView } from '../cooldowns/cooldown.types.js';
import { type InvitationSummary, type WithdrawAdvice } from '../invitations/invitations.service.js';
import { PageQuery } from '../common/http/page-query.js';
import { ACTIVITY_BUCKETS, ACTIVITY_WINDOWS, type ActivityBucket, type ActivityWindow } from './activity-options.js';
import { HEALTH_STATUSES, type HealthStatus } from './health-status.js';
import { type CooldownSummary, type LimitHealth, type WarmupView } from './health-view.js';

const WINDOWS = Object.keys(ACTIVITY_WINDOWS) as ActivityWindow[];
const BUCKETS = Object.keys(ACTIVITY_BUCKETS) as ActivityBucket[];

export class ActivityQuery {
  @ApiPropertyOptional({ enum: WINDOWS, description: 'Default: 24h. 24h and 7d are counted in the Redis windows, 30d and 90d in the journal' })
  @IsOptional()
  @IsIn(WINDOWS)
  window?: ActivityWindow;

  @ApiPropertyOptional({ enum: BUCKETS, description: 'must divide the window; at most 720 buckets (default: 1h for 24h and 7d, 1d for 30d and 90d)' })
  @IsOptional()
  @IsIn(BUCKETS)
  bucket?: ActivityBucket;
}

export class DashboardQuery extends PageQuery {
  @ApiPropertyOptional({ enum: HEALTH_STATUSES, description: 'only identities in this status' })
  @IsOptional()
  @IsIn(HEALTH_STATUSES)
  status?: HealthStatus;
}

export interface HealthResponse extends WarmupView {
  identity_id: string;
  external_id: string;
  label: string | null;
  mode: string;
  account_type: string;
  level: string;
  /** The identity's own switch (active/paused), not its health. */
  identity_status: string;
  status: HealthStatus;
  reasons: string[];
  checked_at: string;
  usage: number;
  limits: LimitHealth[];
  cooldown: CooldownSummary | null;
  cooldowns: CooldownSummary[];
  risk: { at_risk: boolean; cooldowns_7d: number; flagged: boolean };
  recent_errors: ClassifiedErrorView[];
  /** Invitation health: pending, the acceptance rate with its sample, the invitations to withdraw first. */
  invitations: InvitationSummary & { to_withdraw: WithdrawAdvice };
}

export interface ActivityResponse {
  identity_id: string;
  window: string;
  bucket: string;
  source: 'windows' | 'journal';
  bucket_seconds: number;
  from: string;
  to: string;
  buckets: string[];
  limits: { slug: string; name: string; window_seconds: number; total: number; counts: (number | null)[] }[];
}

/** A limit as the overview shows it (only limits in use, busiest first). */
export interface OverviewLimit {
  slug: string;
  name: string;
  consumed: number;
  max_limit: number;
  usage: number;
  available_at: string | null;
}

export interface OverviewRow {
  id: string;
  external_id: string;
  label: string | null;
  mode: string;
  account_type: string;
  level: string;
  identity_status: string;
  status: HealthStatus;
  usage: number;
  top_limit: OverviewLimit | null;
  limits: OverviewLimit[];
  cooldown: { reason: string; scope: string; limits: string[]; level: number; ends_at: string | null; at_risk: boolean } | null;
  warmup_day: number | null;
  warmup_factor: number;
  pending_invitations: number;
  /** Accepted share of the invitations sent 7–37 days ago; null below 20 of them. */
  acceptance_rate: number | null;
  low_acceptance: boolean;
}

export type StatusCounts = Record<HealthStatus, number> & { total: number };

export interface DashboardResponse {
  workspace: { id: string; name: string };
  tier: {
    plan_tier: string;
    monthly_credits: number;
    engagement_tier: string | null;
    engagement_identities: number;
    daily_api_limit: number;
    daily_used: number;
    daily_remaining: number;
    daily_usage: number;
  };
  counts: StatusCounts;
  generated_at: string;
  refresh_seconds: number;
  identities: OverviewRow[];
  next_cursor: string | null;
}
