import { describe, expect, it } from 'vitest';
import { arrivalOffsets, runOpenModel, type TaskOutcome } from './arrivals.ts';

/** A virtual clock: sleeps resolve in time order when `advance` runs, so no test waits for real time. */
class VirtualClock {
  private nowMs = 0;
  private readonly timers: { dueMs: number; order: number; resolve: () => void }[] = [];
  private order = 0;

  readonly now = () => this.nowMs;

  readonly sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      this.timers.push({ dueMs: this.nowMs + Math.max(0, ms), order: this.order++, resolve });
    });

  /** Runs `work` to completion, firing timers in due order whenever everything else is waiting. */
  async run<Result>(work: Promise<Result>): Promise<Result> {
    let finished = false;
    const result = work.finally(() => {
      finished = true;
    });
    while (!finished) {
      await new Promise((resolve) => setImmediate(resolve));
      if (finished) break;
      this.timers.sort((left, right) => left.dueMs - right.dueMs || left.order - right.order);
      const next = this.timers.shift();
      if (next === undefined) throw new Error('nothing to wait for, but the work is not finished');
      this.nowMs = Math.max(this.nowMs, next.dueMs);
      next.resolve();
    }
    return result;
  }
}

describe('arrivalOffsets', () => {
  it('spaces arrivals evenly at the offered rate for the whole duration', () => {
    expect(arrivalOffsets({ ratePerSec: 10, durationMs: 1_000, phase: 0 })).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('lets two generators interleave by phase so together they offer twice the rate', () => {
    const first = arrivalOffsets({ ratePerSec: 5, durationMs: 1_000, phase: 0 });
    const second = arrivalOffsets({ ratePerSec: 5, durationMs: 1_000, phase: 0.5 });
    expect([...first, ...second].sort((left, right) => left - right)).toEqual(arrivalOffsets({ ratePerSec: 10, durationMs: 1_000, phase: 0 }));
  });

  it('refuses a rate that is not positive and a phase outside [0, 1)', () => {
    expect(() => arrivalOffsets({ ratePerSec: 0, durationMs: 1_000, phase: 0 })).toThrow(RangeError);
    expect(() => arrivalOffsets({ ratePerSec: 1, durationMs: 1_000, phase: 1 })).toThrow(RangeError);
  });
});

describe('runOpenModel', () => {
  const base = { lateToleranceMs: 50, drainTimeoutMs: 10_000 };

  it('keeps starting requests on schedule while earlier ones are still running', async () => {
    const clock = new VirtualClock();
    const startedAt: number[] = [];
    const record = await clock.run(
      runOpenModel({
        ...base,
        plan: { ratePerSec: 10, durationMs: 1_000, phase: 0 },
        maxInFlight: 100,
        now: clock.now,
        sleep: clock.sleep,
        task: async () => {
          startedAt.push(clock.now());
          await clock.sleep(350);
          return { ok: true };
        },
      }),
    );
    expect(startedAt).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(record).toMatchObject({ scheduled: 10, started: 10, dropped: 0, late: 0, errors: {} });
    expect(record.latenciesMs).toEqual(Array.from({ length: 10 }, () => 350));
  });

  it('counts arrivals that find every slot busy as dropped instead of queueing them', async () => {
    const clock = new VirtualClock();
    const record = await clock.run(
      runOpenModel({
        ...base,
        plan: { ratePerSec: 10, durationMs: 1_000, phase: 0 },
        maxInFlight: 2,
        now: clock.now,
        sleep: clock.sleep,
        task: async () => {
          await clock.sleep(250);
          return { ok: true };
        },
      }),
    );
    // Each request holds a slot for 250 ms, so with two slots the third arrival of every
    // 300 ms finds both busy.
    expect(record.started + record.dropped).toBe(10);
    expect(record.dropped).toBeGreaterThan(0);
    expect(record.latenciesMs).toHaveLength(record.started);
  });

  it('measures latency from the scheduled start, so a generator that fell behind cannot hide it', async () => {
    const clock = new VirtualClock();
    let blocked = true;
    const record = await clock.run(
      runOpenModel({
        ...base,
        plan: { ratePerSec: 10, durationMs: 300, phase: 0 },
        maxInFlight: 100,
        now: clock.now,
        // The generator oversleeps its first slot by 250 ms, as a busy event loop would.
        sleep: (ms) => clock.sleep(blocked ? ((blocked = false), ms + 250) : ms),
        task: async () => {
          await clock.sleep(10);
          return { ok: true };
        },
      }),
    );
    expect(record.late).toBeGreaterThan(0);
    expect(Math.max(...record.latenciesMs)).toBeGreaterThanOrEqual(250);
  });

  it('counts failures by code and requests still running at the drain deadline as timeouts', async () => {
    const clock = new VirtualClock();
    const outcomes: TaskOutcome[] = [{ ok: false, code: 'insufficient_funds' }, { ok: true }];
    const record = await clock.run(
      runOpenModel({
        ...base,
        drainTimeoutMs: 1_000,
        plan: { ratePerSec: 10, durationMs: 300, phase: 0 },
        maxInFlight: 100,
        now: clock.now,
        sleep: clock.sleep,
        task: async (index) => {
          if (index === 2) {
            await clock.sleep(60_000);
            return { ok: true };
          }
          if (index === 1) throw new TypeError('fetch failed');
          return outcomes[0] ?? { ok: true };
        },
      }),
    );
    expect(record.errors).toEqual({ insufficient_funds: 1, network: 1, timeout: 1 });
    expect(record.latenciesMs).toEqual([]);
  });
});
