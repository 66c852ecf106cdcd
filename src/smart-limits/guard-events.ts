import { Injectable, Logger } from '@nestjs/common';
import { WARNING_SHARE } from '../catalog/thresholds.js';

/** A limit passing 80 % or 100 % of its threshold because of a recorded action. */
export interface LimitCrossing {
  workspaceId: string;
  identityId: string;
  action: string;
  limit: string;
  threshold: 'warning' | 'reached';
  consumed: number;
  max: number;
  at: Date;
}

/**
 * Crossings are computed from the guard's own reply (consumed before and after), so the hot path
 * pays no extra round trip; listeners (notifications) record them off the request path.
 */
@Injectable()
export class GuardEvents {
  private readonly logger = new Logger('GuardEvents');
  private readonly listeners: ((c: LimitCrossing[]) => Promise<void> | void)[] = [];

  onCrossings(listener: (c: LimitCrossing[]) => Promise<void> | void): void {
    this.listeners.push(listener);
  }

  emit(crossings: LimitCrossing[]): void {
    if (!crossings.length) return;
    for (const l of this.listeners) {
      Promise.resolve()
        .then(() => l(crossings))
        .catch((e: Error) => this.logger.warn(`crossing listener failed: ${e.message}`));
    }
  }
}

/** WARNING_SHARE (80 %) and 100 % crossings between two counts (pure). */
export function crossingsOf(before: number, after: number, max: number): ('warning' | 'reached')[] {
  if (max <= 0 || after <= before) return [];
  const out: ('warning' | 'reached')[] = [];
  const warn = Math.ceil(max * WARNING_SHARE);
  if (before < warn && after >= warn && after < max) out.push('warning');
  if (before < max && after >= max) out.push('reached');
  return out;
}
