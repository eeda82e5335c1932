import { describe, expect, it } from 'vitest';
import type { StepRecord } from './arrivals.ts';
import { planFor } from './plans.ts';
import { disturbance, summarizeStep, type StepInput } from './report.ts';
import { noExtra } from './scenarios/scenario.ts';

const record = (overrides: Partial<StepRecord>): StepRecord => ({ scheduled: 0, started: 0, dropped: 0, late: 0, latenciesMs: [], errors: {}, elapsedMs: 10_000, ...overrides });

const input = (overrides: Partial<StepInput>): StepInput => ({
  plan: planFor('browse'),
  offeredPerSec: 20,
  records: [],
  extras: [noExtra],
  usageBefore: { cpuMs: 1_000, rssBytes: 0, runQueueWaitMs: 100 },
  usageAfter: { cpuMs: 6_000, rssBytes: 300 * 2 ** 20, runQueueWaitMs: 1_100 },
  wallMs: 10_000,
  generatorCpuMs: 2_000,
  machine: { machineCores: 1.5, ownCores: 0.1, postgresCores: 0, otherCores: 1.4, ownWaitShare: 0, postgresWaitShare: 0 },
  ...overrides,
});

describe('summarizeStep', () => {
  it('merges the generators: counts add up, latencies pool, errors add by code', () => {
    const step = summarizeStep(
      input({
        records: [
          record({ scheduled: 100, started: 99, dropped: 1, late: 2, latenciesMs: Array.from({ length: 98 }, (_, index) => index + 1), errors: { timeout: 1 } }),
          record({ scheduled: 100, started: 100, latenciesMs: [500, 1_000], errors: { timeout: 2, product_not_found: 1 }, elapsedMs: 12_500 }),
        ],
      }),
    );
    expect(step).toMatchObject({ scheduled: 200, started: 199, dropped: 1, late: 2, succeeded: 100, errors: 4, errorsByCode: { timeout: 3, product_not_found: 1 } });
    // 100 successes over the longer generator's 12.5 s.
    expect(step.achievedPerSec).toBe(8);
    expect(step.latencyMs).toEqual({ p50: 50, p95: 95, p99: 500, max: 1_000 });
  });

  it('splits the machine\'s cores between the server, the generators and everyone else', () => {
    const step = summarizeStep(input({ records: [record({ latenciesMs: [1] })] }));
    expect(step.serverCores).toBe(0.5);
    expect(step.generatorCores).toBe(0.2);
    expect(step.serverWaitShare).toBe(0.1);
    // 1.5 busy − 0.1 coordinator − 0.5 server − 0.2 generators.
    expect(step.otherCores).toBe(0.7);
    expect(step.serverRssMb).toBe(300);
  });

  it('reports no percentile, rather than a made-up one, for a step where nothing succeeded', () => {
    const step = summarizeStep(input({ records: [record({ errors: { network: 5 } })] }));
    expect(step.latencyMs).toEqual({ p50: null, p95: null, p99: null, max: null });
    expect(step.achievedPerSec).toBe(0);
  });

  it('counts notifications only for the live scenario', () => {
    expect(summarizeStep(input({ records: [record({})] })).notifications).toBeNull();
    const live = summarizeStep(input({ plan: planFor('live'), records: [record({})], extras: [{ notificationLatenciesMs: [10, 20], lostNotifications: 1, seqGaps: 0 }] }));
    expect(live.notifications).toMatchObject({ received: 2, late: 1, seqGaps: 0 });
  });
});

describe('disturbance', () => {
  it('flags a step only when others were busy and the server waited for a core', () => {
    const busy = summarizeStep(input({ records: [record({ latenciesMs: [1] })] }));
    expect(disturbance(busy)).toContain('the server waited for a core 10%');
    const quiet = summarizeStep(input({ records: [record({ latenciesMs: [1] })], usageAfter: { cpuMs: 6_000, rssBytes: 0, runQueueWaitMs: 150 } }));
    expect(disturbance(quiet)).toBeNull();
  });
});
