import { describe, expect, it } from '@jest/globals';
import { type Logger } from '@nestjs/common';
import { JobTick } from './job-tick.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Records what the job logs. */
function recordingLogger() {
  const lines: { level: string; args: unknown[] }[] = [];
  const logger = {
    warn: (...args: unknown[]) => lines.push({ level: 'warn', args }),
    error: (...args: unknown[]) => lines.push({ level: 'error', args }),
  } as unknown as Logger;
  return { logger, lines };
}

describe('JobTick', () => {
  it('runs one at a time: a tick while a run is in flight starts none', async () => {
    const runs: ReturnType<typeof deferred<number>>[] = [];
    const { logger } = recordingLogger();
    const ticks = new JobTick(
      () => {
        const d = deferred<number>();
        runs.push(d);
        return d.promise;
      },
      { name: 'job', logger, enabled: () => true },
    );
    const first = ticks.tick();
    expect(ticks.tick()).toBeUndefined();
    expect(runs).toHaveLength(1);
    runs[0].resolve(7);
    expect(await first).toBe(7);
    void ticks.tick();
    expect(runs).toHaveLength(2);
    runs[1].resolve(1);
    await ticks.stop();
  });

  it('with rerunWhenBusy, a tick during a run joins it and asks for exactly one more right after', async () => {
    const runs: ReturnType<typeof deferred<number>>[] = [];
    const { logger } = recordingLogger();
    const ticks = new JobTick(
      () => {
        const d = deferred<number>();
        runs.push(d);
        return d.promise;
      },
      { name: 'job', logger, enabled: () => true, rerunWhenBusy: true },
    );
    const first = ticks.tick();
    expect(ticks.tick()).toBe(first);
    expect(ticks.tick()).toBe(first);
    runs[0].resolve(1);
    await first;
    await new Promise((r) => setImmediate(r));
    expect(runs).toHaveLength(2);
    runs[1].resolve(2);
    await ticks.stop();
    expect(runs).toHaveLength(2);
  });

  it('never runs while disabled or after stop, and stop waits for the run in flight', async () => {
    let enabled = false;
    const run = deferred<number>();
    let started = 0;
    const { logger } = recordingLogger();
    const ticks = new JobTick(
      () => {
        started++;
        return run.promise;
      },
      { name: 'job', logger, enabled: () => enabled },
    );
    expect(ticks.tick()).toBeUndefined();
    enabled = true;
    void ticks.tick();
    let stopped = false;
    const stopping = ticks.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    expect(ticks.stopped).toBe(true);
    run.resolve(0);
    await stopping;
    expect(ticks.tick()).toBeUndefined();
    expect(started).toBe(1);
  });

  it('logs a failed run instead of throwing: a store outage as a warning, anything else as an error with the error', async () => {
    const { logger, lines } = recordingLogger();
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED', syscall: 'connect' });
    const bug = new TypeError('x is not a function');
    const errors = [outage, bug];
    const ticks = new JobTick(() => Promise.reject(errors.shift()!), { name: 'job', logger, enabled: () => true });
    expect(await ticks.tick()).toBeUndefined();
    expect(await ticks.tick()).toBeUndefined();
    expect(lines.map((l) => l.level)).toEqual(['warn', 'error']);
    expect(lines[1].args[0]).toEqual({ err: bug });
  });
});
