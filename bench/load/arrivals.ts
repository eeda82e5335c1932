/**
 * The open-model arrival generator: requests start on a fixed schedule whether or not earlier
 * ones have finished, the way real users arrive. A closed loop (a fixed number of clients that
 * each wait for their answer) slows down with the server and so hides its latency; this is what
 * Gil Tene calls coordinated omission. Here every latency is measured from the request's
 * *scheduled* start, so time a request spent waiting for the generator itself counts too.
 *
 * An arrival that finds `maxInFlight` requests still running is not started and counts as
 * `dropped` (k6 calls these dropped_iterations: the offered load was more than the system
 * absorbed). One that started more than `lateToleranceMs` after its slot counts as `late`: the
 * generator was behind, which a reader must know before trusting the step.
 */

export interface ArrivalPlan {
  readonly ratePerSec: number;
  readonly durationMs: number;
  /**
   * Where in each inter-arrival gap this generator's arrivals fall, 0 ≤ phase < 1. Two
   * generators sharing one offered rate use phases 0 and 0.5, so together they are evenly spaced.
   */
  readonly phase: number;
}

export type TaskOutcome = { readonly ok: true } | { readonly ok: false; readonly code: string };

export interface OpenModelOptions {
  readonly plan: ArrivalPlan;
  readonly maxInFlight: number;
  readonly lateToleranceMs: number;
  /** After the last arrival, how long running requests may take before they count as timeouts. */
  readonly drainTimeoutMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Runs arrival `index`, scheduled at `scheduledMs` on the `now` clock. */
  readonly task: (index: number, scheduledMs: number) => Promise<TaskOutcome>;
}

export interface StepRecord {
  readonly scheduled: number;
  readonly started: number;
  readonly dropped: number;
  readonly late: number;
  /** Latencies of successful requests, from scheduled start to answer, in ms. */
  readonly latenciesMs: number[];
  /** Failures by code: a non-2xx answer's error code, `network`, a failed check, or `timeout`. */
  readonly errors: Record<string, number>;
  /** From the first slot to the last answer (or the drain deadline), in ms. */
  readonly elapsedMs: number;
}

/** Offsets (ms from the step's start) of every arrival of the plan, ascending. */
export function arrivalOffsets(plan: ArrivalPlan): number[] {
  if (!(plan.ratePerSec > 0)) throw new RangeError(`the rate must be positive, got ${plan.ratePerSec}`);
  if (!(plan.phase >= 0 && plan.phase < 1)) throw new RangeError(`the phase is in [0, 1), got ${plan.phase}`);
  const gapMs = 1_000 / plan.ratePerSec;
  const offsets: number[] = [];
  for (let index = 0; (index + plan.phase) * gapMs < plan.durationMs; index += 1) offsets.push((index + plan.phase) * gapMs);
  return offsets;
}

/** fetch rejects with a TypeError when the connection fails and a TimeoutError when its signal fires. */
function errorCode(error: unknown): string {
  if (!(error instanceof Error)) return 'exception';
  if (error.name === 'TimeoutError') return 'timeout';
  return error.name === 'TypeError' ? 'network' : 'exception';
}

function countError(errors: Record<string, number>, code: string): void {
  errors[code] = (errors[code] ?? 0) + 1;
}

/** Runs one step of the plan; resolves once every started request answered or timed out. */
export async function runOpenModel(options: OpenModelOptions): Promise<StepRecord> {
  const { now, sleep } = options;
  const offsets = arrivalOffsets(options.plan);
  const startMs = now();
  const record = { scheduled: offsets.length, started: 0, dropped: 0, late: 0, latenciesMs: [] as number[], errors: {} as Record<string, number> };
  let inFlight = 0;
  let lastAnswerMs = startMs;
  // Set when the drain deadline passed: answers after it were already counted as timeouts.
  let closed = false;
  const running = new Set<Promise<void>>();
  const start = (index: number, scheduledMs: number) => {
    inFlight += 1;
    record.started += 1;
    if (now() - scheduledMs > options.lateToleranceMs) record.late += 1;
    const done = options
      .task(index, scheduledMs)
      .catch((error: unknown): TaskOutcome => ({ ok: false, code: errorCode(error) }))
      .then((outcome) => {
        if (closed) return;
        inFlight -= 1;
        lastAnswerMs = now();
        if (outcome.ok) record.latenciesMs.push(lastAnswerMs - scheduledMs);
        else countError(record.errors, outcome.code);
      });
    const tracked = done.finally(() => running.delete(tracked));
    running.add(tracked);
  };
  for (let index = 0; index < offsets.length; index += 1) {
    const scheduledMs = startMs + (offsets[index] ?? 0);
    const waitMs = scheduledMs - now();
    if (waitMs > 0) await sleep(waitMs);
    if (inFlight >= options.maxInFlight) record.dropped += 1;
    else start(index, scheduledMs);
  }
  const drained = await Promise.race([Promise.all(running).then(() => true), sleep(options.drainTimeoutMs).then(() => false)]);
  closed = true;
  if (!drained) {
    for (let stuck = 0; stuck < inFlight; stuck += 1) countError(record.errors, 'timeout');
    lastAnswerMs = now();
  }
  return { ...record, elapsedMs: Math.max(lastAnswerMs - startMs, options.plan.durationMs) };
}
