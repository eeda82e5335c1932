import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqlStreams } from '../persistence/adapters/sql-streams.ts';
import type { StreamReader } from '../persistence/adapters/streams.ts';
import { accountDecider, type AccountState } from './testing/account.ts';
import { openHarness, type Harness } from './testing/harness.ts';
import { isSettled, transferDecider, type TransferCommand } from './testing/transfer.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterEach(async () => harness.reset());
afterAll(async () => harness.close());

/** The transfer saga, naming its payer's account as the first step's target (Decider.relatedKeys). */
const readingAhead = {
  ...transferDecider,
  relatedKeys: (command: TransferCommand) => (command.type === 'StartTransfer' ? [`account:${command.from}`] : []),
};

/** The harness's SQL streams, recording the keys of each bulk read. */
function countingStreams(): { streams: StreamReader; reads: string[][] } {
  const inner = new SqlStreams(harness.db);
  const reads: string[][] = [];
  return {
    reads,
    streams: { loadStreams: (keys, pageSize) => (reads.push([...keys].sort()), inner.loadStreams(keys, pageSize)) },
  };
}

function start(streams: StreamReader) {
  const runtime = harness.runtime({}, { streams });
  return { runtime, accounts: runtime.register(accountDecider), transfers: runtime.register(readingAhead) };
}

describe('reading a saga’s related actors ahead', () => {
  it('reads the payer with the new transfer, so the first step loads nothing, and decides on its stored history', async () => {
    const seeding = start(countingStreams().streams);
    expect((await seeding.accounts.ask('ann', { type: 'Deposit', commandId: 'fund', amountMinor: 500 })).ok).toBe(true);
    seeding.runtime.stop();

    const { streams, reads } = countingStreams();
    const system = start(streams);
    expect((await system.transfers.ask('t1', { type: 'StartTransfer', transferId: 't1', from: 'ann', to: ['cat'], amountMinor: 200 })).ok).toBe(true);
    const settled = await system.transfers.waitFor('t1', isSettled, 10_000);
    expect(settled.ok && settled.state.status).toBe('COMPLETED');
    const ann = await system.accounts.inspect('ann');
    expect(ann.ok && (ann.state as AccountState).balanceMinor).toBe(300);
    // The payer with the transfer, never on its own; the recipient, not named, as it starts.
    expect(reads).toEqual([['account:ann', 'transfer:t1'], ['account:cat']]);
  });

  it('does not read ahead an actor already resident, which has its state in memory', async () => {
    const { streams, reads } = countingStreams();
    const system = start(streams);
    expect((await system.accounts.ask('bob', { type: 'Deposit', commandId: 'fund', amountMinor: 500 })).ok).toBe(true);
    reads.length = 0;
    expect((await system.transfers.ask('t2', { type: 'StartTransfer', transferId: 't2', from: 'bob', to: ['dan'], amountMinor: 100 })).ok).toBe(true);
    const settled = await system.transfers.waitFor('t2', isSettled, 10_000);
    expect(settled.ok && settled.state.status).toBe('COMPLETED');
    expect(reads).toEqual([['transfer:t2'], ['account:dan']]);
    const bob = await system.accounts.inspect('bob');
    expect(bob.ok && (bob.state as AccountState).balanceMinor).toBe(400);
  });
});
