import { Injectable, type OnModuleInit } from '@nestjs/common';
import { GuardEvents } from '../smart-limits/guard-events.js';
import { LimitEventsRepository } from './limit-events.repository.js';

/**
 * Turns the guard's 80 %/100 % crossings into outbox events. The guard emits them after its answer
 * is decided, and the insert runs asynchronously, so the hot path gains no round trip. The price:
 * a crash between the answer and the insert loses that crossing's event (the action itself is safe
 * in Redis). limit.reached is once per fill because the guard only reports the call that took a
 * count from below the threshold to it; refused calls record nothing.
 */
@Injectable()
export class LimitCrossingsRecorder implements OnModuleInit {
  constructor(
    private readonly guardEvents: GuardEvents,
    private readonly events: LimitEventsRepository,
  ) {}

  onModuleInit(): void {
    this.guardEvents.onCrossings((crossings) => this.events.recordLimitCrossings(crossings));
  }
}
