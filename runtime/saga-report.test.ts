import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Journal } from '../persistence/adapters/journal.ts';
import { controlledJournal, eventually } from './testing/controlled-journal.ts';
import { openHarness, type Harness } from './testing/harness.ts';
import { everyGuestAnswered, guestDecider, hostDecider, type HostState } from './testing/invitation.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterEach(async () => harness.reset());
afterAll(async () => harness.close());

function start(journal?: Journal) {
  const runtime = harness.runtime({}, journal === undefined ? {} : { journal });
  const hosts = runtime.register(hostDecider);
  runtime.register(guestDecider);
  return { runtime, hosts };
}

async function invite(system: ReturnType<typeof start>, hostId: string, guests: readonly string[]): Promise<HostState> {
  expect((await system.hosts.ask(hostId, { type: 'Invite', hostId, guests })).ok).toBe(true);
  const answered = await system.hosts.waitFor(hostId, everyGuestAnswered, 10_000);
  if (!answered.ok) throw new Error(`${hostId}'s guests did not all answer: ${answered.code}`);
  return answered.state;
}

/** Until no saga step is in flight or parked: a parked run left behind would keep its actor resident for good. */
async function idle(system: ReturnType<typeof start>): Promise<void> {
  await eventually(() => system.runtime.sagaStats().effectsInFlight === 0, 5_000, 'no saga step left in flight');
}

describe('a step finished by its target\'s own report (Effect.finishedByReport)', () => {
  it('records no success of its own: the report finishes it, and nothing of it stays in flight', async () => {
    const system = start();
    const state = await invite(system, 'h1', ['g1', 'g2', 'g3']);
    expect(state.answers).toEqual({ g1: 'reported', g2: 'reported', g3: 'reported' });
    await idle(system);
    const entries = await harness.journal.read('host:h1', 0, 100);
    expect(entries.map((entry) => entry.commandId).sort()).toEqual(['reported:g1', 'reported:g2', 'reported:g3', 'start']);
    // Each guest took the invitation once: a parked step is not asked again.
    for (const guestId of ['g1', 'g2', 'g3']) expect((await harness.journal.read(`guest:${guestId}`, 0, 100)).map((entry) => entry.commandId)).toEqual(['invite', 'step:report']);
    expect(system.runtime.list().every((actor) => actor.effectsInFlight === 0)).toBe(true);
  });

  it('records a refusal as any step, since no report will come', async () => {
    const system = start();
    const state = await invite(system, 'h2', ['g4', 'no5']);
    expect(state.answers).toEqual({ g4: 'reported', no5: 'declined' });
    await idle(system);
    const entries = await harness.journal.read('host:h2', 0, 100);
    expect(entries.map((entry) => entry.commandId).sort()).toEqual(['reported:g4', 'start', 'step:invite:no5']);
  });

  it('does not keep an actor resident for a parked step, and asks again once, idempotently, when it runs again', async () => {
    const system = start();
    expect((await system.hosts.ask('h4', { type: 'Invite', hostId: 'h4', guests: ['mute7'] })).ok).toBe(true);
    await eventually(async () => (await harness.journal.read('guest:mute7', 0, 10)).length === 1, 5_000, 'the guest took the invitation');
    // Parked: the guest took it, and its report is what the host waits for.
    await eventually(() => system.runtime.list().find((actor) => actor.key === 'host:h4')?.effectsInFlight === 1, 5_000, 'the step parked');
    await eventually(() => system.runtime.passivateIdle(0) > 0 && !system.runtime.isResident('host:h4'), 5_000, 'the host passivated');
    expect(system.runtime.sagaStats().effectsInFlight).toBe(0);
    // Loaded again, the host still lists the step: it asks again, gets the same answer, and parks.
    const inspected = await system.hosts.inspect('h4');
    expect(inspected.ok && (inspected.state as HostState).answers).toEqual({});
    await eventually(() => system.runtime.list().find((actor) => actor.key === 'host:h4')?.effectsInFlight === 1, 5_000, 'the step parked again');
    expect((await harness.journal.read('guest:mute7', 0, 10)).map((entry) => entry.commandId)).toEqual(['invite']);
    expect((await harness.journal.read('host:h4', 0, 10)).map((entry) => entry.commandId)).toEqual(['start']);
  });

  it('ends the run, instead of parking it, when the report was recorded before the answer was durable', async () => {
    const { journal, control } = controlledJournal(harness.journal);
    const system = start(journal);
    // The guest's InviteTaken is held, so the host's run waits for it to be durable while the
    // guest, running ahead of the disk, has already reported and the host recorded the report.
    const release = control.hold((key) => key === 'guest:g6');
    expect((await system.hosts.ask('h3', { type: 'Invite', hostId: 'h3', guests: ['g6'] })).ok).toBe(true);
    await eventually(() => control.held.length > 0, 5_000, 'the guest\'s entry is held');
    // The host's second entry (the report) is decided in memory; nothing of it is durable yet.
    await eventually(() => system.runtime.list().find((actor) => actor.key === 'host:h3')?.lastSeq === 2, 5_000, 'the host recorded the report');
    expect(control.held).toEqual(['guest:g6 invite']);
    expect(system.runtime.sagaStats().effectsInFlight).toBeGreaterThan(0);
    release();
    await idle(system);
    expect(await harness.journal.read('host:h3', 0, 100)).toHaveLength(2);
  });
});
