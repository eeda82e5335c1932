/**
 * A load generator process (forked by bench/load/coordinator.ts), so the requests it sends and
 * the answers it parses never share an event loop with the server or with the coordinator.
 * It speaks a small protocol over the IPC channel: `prepare` (build the scenario, e.g. open the
 * WebSockets), then one `step` per offered rate, then `close`.
 */
import { runOpenModel, type StepRecord } from './arrivals.ts';
import { browseWorker } from './scenarios/browse.ts';
import { checkoutWorker } from './scenarios/checkout.ts';
import { liveWorker } from './scenarios/live.ts';
import type { ScenarioName, ScenarioWorker, StepExtra, WorkerFixture } from './scenarios/scenario.ts';
import { sleep } from '../lib/pool.ts';

export type ToWorker =
  | { readonly type: 'prepare'; readonly scenario: ScenarioName; readonly fixture: WorkerFixture }
  | { readonly type: 'step'; readonly stepIndex: number; readonly ratePerSec: number; readonly durationMs: number; readonly phase: number; readonly maxInFlight: number }
  | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'step-done'; readonly record: StepRecord; readonly extra: StepExtra; readonly cpuMs: number }
  | { readonly type: 'closed'; readonly extra: StepExtra }
  | { readonly type: 'failed'; readonly message: string };

/** A start more than this behind its slot means the generator itself was the bottleneck. */
const lateToleranceMs = 20;
/** After a step's last arrival, how long its requests may still run; then they are timeouts. */
const drainTimeoutMs = 30_000;

async function createWorker(scenario: ScenarioName, fixture: WorkerFixture): Promise<ScenarioWorker> {
  switch (scenario) {
    case 'browse':
      return browseWorker(fixture);
    case 'checkout':
      return checkoutWorker(fixture);
    case 'live':
      return liveWorker(fixture);
    default:
      return scenario satisfies never;
  }
}

/** Resolves once the message is handed to the IPC channel, so exiting after it loses nothing. */
function reply(message: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

let worker: ScenarioWorker | null = null;

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'prepare') {
    worker = await createWorker(message.scenario, message.fixture);
    await reply({ type: 'ready' });
    return;
  }
  if (worker === null) throw new Error(`${message.type} before prepare`);
  const current = worker;
  if (message.type === 'step') {
    const cpuBefore = process.cpuUsage();
    const record = await runOpenModel({
      plan: { ratePerSec: message.ratePerSec, durationMs: message.durationMs, phase: message.phase },
      maxInFlight: message.maxInFlight,
      lateToleranceMs,
      drainTimeoutMs,
      now: () => performance.now(),
      sleep,
      task: (index, scheduledMs) => current.task(index, scheduledMs, message.stepIndex),
    });
    const extra = await current.afterStep();
    const cpu = process.cpuUsage(cpuBefore);
    await reply({ type: 'step-done', record, extra, cpuMs: Math.round((cpu.user + cpu.system) / 1_000) });
    return;
  }
  await reply({ type: 'closed', extra: await current.close() });
  process.exit(0);
}

// A generator never outlives its coordinator: when the IPC channel closes (the coordinator
// exited or was killed), open sockets would otherwise keep this process running.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: ToWorker) => {
  handle(message).catch(async (error: unknown) => {
    await reply({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  });
});
