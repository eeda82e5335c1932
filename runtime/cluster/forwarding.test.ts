/**
 * Forwarding's pure parts (the owner's time budget, the retry decision, the choice of owner) and
 * the Forwarder's loop over a fake lease cache and a scripted remote: a 421 is followed by a
 * lease read and a resend to the new owner, a failed send backs off, the attempts are bounded,
 * and a key that turns out to be served here runs here. Reads go through the same loop: an
 * inspect or a named wait is sent with the remaining budget, resent after a 421, and counted apart.
 */
import { describe, expect, it } from 'vitest';
import { limits } from '../limits.ts';
import { silentLogger } from '../logger.ts';
import { chooseOwner, Forwarder, nextStep, ownerBudgetMs, type ForwardRequest, type OwnerDirectory, type ReadRequest, type ReadResult, type RemoteAnswer } from './forwarding.ts';
import { notOwner, type ShardOwner } from './ownership.ts';

const b: ShardOwner = { node: 'b', address: 'http://b:3001' };
const c: ShardOwner = { node: 'c', address: 'http://c:3001' };
const accepted = { ok: true as const, seq: 1, events: [], duplicate: false, state: {} };

describe('ownerBudgetMs', () => {
  it('keeps the way back out of the remaining time', () => {
    expect(ownerBudgetMs(5_000, limits)).toBe(5_000 - limits.forwardReturnMarginMs);
    expect(ownerBudgetMs(100.9, limits)).toBe(Math.floor(100.9 - limits.forwardReturnMarginMs));
  });

  it('sends nothing when too little time is left', () => {
    expect(ownerBudgetMs(limits.forwardReturnMarginMs + limits.forwardMinBudgetMs, limits)).toBe(limits.forwardMinBudgetMs);
    expect(ownerBudgetMs(limits.forwardReturnMarginMs + limits.forwardMinBudgetMs - 1, limits)).toBeNull();
    expect(ownerBudgetMs(-10, limits)).toBeNull();
  });
});

describe('nextStep', () => {
  it('is done with any answer of the owner, a rejection or a runtime failure included', () => {
    expect(nextStep({ kind: 'answered', result: accepted }, 1, limits)).toEqual({ kind: 'done', result: accepted });
    const rejected = { ok: false as const, code: 'insufficient_funds', message: 'no' };
    expect(nextStep({ kind: 'answered', result: rejected }, limits.forwardAttemptsMax, limits)).toEqual({ kind: 'done', result: rejected });
  });

  it('retries a 421 at once with its hint, and a failed send after a growing backoff', () => {
    expect(nextStep({ kind: 'misdirected', owner: c }, 1, limits)).toEqual({ kind: 'retry', hint: c, backoffMs: 0 });
    expect(nextStep({ kind: 'failed', reason: 'ECONNREFUSED' }, 1, limits)).toEqual({ kind: 'retry', hint: null, backoffMs: limits.forwardRetryBackoffMs });
    expect(nextStep({ kind: 'failed', reason: 'ECONNREFUSED' }, 2, limits)).toMatchObject({ backoffMs: 2 * limits.forwardRetryBackoffMs });
  });

  it('gives up after the last attempt', () => {
    expect(nextStep({ kind: 'misdirected', owner: c }, limits.forwardAttemptsMax, limits)).toMatchObject({ kind: 'give_up' });
    expect(nextStep({ kind: 'failed', reason: 'timeout' }, limits.forwardAttemptsMax, limits)).toMatchObject({ kind: 'give_up', reason: expect.stringContaining('timeout') });
  });
});

describe('chooseOwner', () => {
  it('prefers the lease cache, unless it still names the node that just refused', () => {
    expect(chooseOwner(b, c, 'a', null)).toEqual(c);
    expect(chooseOwner(c, b, 'a', 'b')).toEqual(c);
    expect(chooseOwner(null, b, 'a', 'b')).toEqual(b);
  });

  it('never picks this node or an owner without an address', () => {
    expect(chooseOwner({ node: 'a', address: 'http://a:3001' }, null, 'a', null)).toBeNull();
    expect(chooseOwner({ node: 'b', address: null }, null, 'a', null)).toBeNull();
  });
});

/** A lease cache the test moves, and a remote that answers from a script, recording each send. */
function fixture(script: (address: string, request: ForwardRequest) => RemoteAnswer, readScript: (address: string, request: ReadRequest) => RemoteAnswer<ReadResult> = () => ({ kind: 'failed', reason: 'no reads scripted' })) {
  const state = { owner: b as ShardOwner | null, servedHere: false, refreshes: 0 };
  const sent: { address: string; request: ForwardRequest; timeoutMs: number }[] = [];
  const reads: { address: string; request: ReadRequest; timeoutMs: number }[] = [];
  const directory: OwnerDirectory = {
    node: 'a',
    refusal: (key) => (state.servedHere ? null : notOwner(key, state.owner)),
    ownerOf: () => state.owner,
    leaseEpochOf: () => 7,
    refreshOwners: async () => {
      state.refreshes += 1;
    },
  };
  const remote = {
    ask: async (address: string, request: ForwardRequest, timeoutMs: number) => (sent.push({ address, request, timeoutMs }), script(address, request)),
    read: async (address: string, request: ReadRequest, timeoutMs: number) => (reads.push({ address, request, timeoutMs }), readScript(address, request)),
  };
  const forwarder = new Forwarder(directory, remote, limits, silentLogger);
  return { state, sent, reads, forwarder, refusal: notOwner('wallet:x', b) };
}

const notHere = async () => ({ ok: false as const, code: 'not_used', message: 'the command ran here' });

describe('Forwarder', () => {
  it('sends the command with the epoch seen and the caller\'s remaining time, and returns the owner\'s answer', async () => {
    const { forwarder, sent, refusal } = fixture(() => ({ kind: 'answered', result: accepted }));
    expect(await forwarder.forward('wallet:x', { type: 'Deposit' }, refusal, 1_000, notHere)).toEqual(accepted);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.address).toBe('http://b:3001');
    expect(sent[0]?.request).toMatchObject({ key: 'wallet:x', command: { type: 'Deposit' }, epochSeen: 7 });
    expect(sent[0]?.request.deadlineMs).toBeLessThanOrEqual(1_000 - limits.forwardReturnMarginMs);
    expect(sent[0]?.request.deadlineMs).toBeGreaterThan(900 - limits.forwardReturnMarginMs);
    expect(forwarder.stats()).toMatchObject({ outcomes: { answered: 1 }, latencyCount: 1 });
  });

  it('after a 421 reads the leases and resends the same command to the new owner', async () => {
    const { forwarder, sent, state, refusal } = fixture((address) => {
      if (address === b.address) {
        state.owner = c;
        return { kind: 'misdirected', owner: c };
      }
      return { kind: 'answered', result: accepted };
    });
    expect(await forwarder.forward('wallet:x', { type: 'Deposit', commandId: 'd1' }, refusal, 1_000, notHere)).toEqual(accepted);
    expect(sent.map((send) => send.address)).toEqual([b.address, c.address]);
    expect(sent[1]?.request.command).toEqual({ type: 'Deposit', commandId: 'd1' });
    expect(state.refreshes).toBe(1);
    expect(forwarder.stats()).toMatchObject({ misdirected: 1, outcomes: { answered: 1 } });
  });

  it('answers unavailable after the last failed attempt, never throwing', async () => {
    const { forwarder, sent, refusal } = fixture(() => ({ kind: 'failed', reason: 'ECONNREFUSED' }));
    expect(await forwarder.forward('wallet:x', {}, refusal, 2_000, notHere)).toMatchObject({ ok: false, code: 'unavailable' });
    expect(sent).toHaveLength(limits.forwardAttemptsMax);
    expect(forwarder.stats()).toMatchObject({ failedSends: limits.forwardAttemptsMax, outcomes: { unavailable: 1 } });
  });

  it('answers unavailable without a send when no time is left', async () => {
    const { forwarder, sent, refusal } = fixture(() => ({ kind: 'answered', result: accepted }));
    expect(await forwarder.forward('wallet:x', {}, refusal, limits.forwardReturnMarginMs, notHere)).toMatchObject({ code: 'unavailable' });
    expect(sent).toHaveLength(0);
  });

  it('runs the command here when the lease read finds this node serves the key', async () => {
    const { forwarder, state, refusal } = fixture(() => {
      state.servedHere = true;
      return { kind: 'misdirected', owner: null };
    });
    expect(await forwarder.forward('wallet:x', {}, refusal, 1_000, async () => accepted)).toEqual(accepted);
    expect(forwarder.stats().outcomes.local).toBe(1);
  });

  it('reads the leases when no owner is known, and sends once one is', async () => {
    const { forwarder, state, sent } = fixture(() => ({ kind: 'answered', result: accepted }));
    state.owner = null;
    const refreshed = forwarder.forward('wallet:x', {}, notOwner('wallet:x', null), 1_000, notHere);
    state.owner = b;
    expect(await refreshed).toEqual(accepted);
    expect(sent).toHaveLength(1);
  });

  it('forwards an inspect and a named wait with the remaining budget, and counts them as reads', async () => {
    const inspection = { ok: true as const, state: { balanceMinor: 9 }, seq: 4 };
    const { forwarder, reads, sent, refusal } = fixture(() => ({ kind: 'answered', result: accepted }), () => ({ kind: 'answered', result: inspection }));
    expect(await forwarder.forwardRead('wallet:x', { kind: 'inspect' }, refusal, 1_000, async () => accepted)).toEqual(inspection);
    expect(await forwarder.forwardRead('wallet:x', { kind: 'wait', predicate: 'settled' }, refusal, 15_000, async () => accepted)).toEqual(inspection);
    expect(sent).toEqual([]);
    expect(reads.map((each) => each.request.read)).toEqual([{ kind: 'inspect' }, { kind: 'wait', predicate: 'settled' }]);
    expect(reads[0]?.request).toMatchObject({ key: 'wallet:x', epochSeen: 7 });
    expect(reads[1]?.request.deadlineMs).toBeGreaterThan(14_000);
    expect(reads[1]?.request.deadlineMs).toBeLessThanOrEqual(15_000 - limits.forwardReturnMarginMs);
    expect(reads[1]?.timeoutMs).toBe((reads[1]?.request.deadlineMs ?? 0) + limits.forwardReturnMarginMs);
    const stats = forwarder.stats();
    expect(stats.readOutcomes.answered).toBe(2);
    expect(stats.outcomes.answered).toBe(0);
    // A wait's time is mostly waiting: it stays out of the command latency.
    expect(stats.latencyCount).toBe(0);
  });

  it('resends a read after a 421 to the new owner, and gives up as unavailable after the last attempt', async () => {
    const inspection = { ok: true as const, state: {}, seq: 1 };
    const moving = fixture(
      () => ({ kind: 'answered', result: accepted }),
      (address) => {
        if (address === b.address) {
          moving.state.owner = c;
          return { kind: 'misdirected', owner: c };
        }
        return { kind: 'answered', result: inspection };
      },
    );
    expect(await moving.forwarder.forwardRead('wallet:x', { kind: 'inspect' }, moving.refusal, 1_000, async () => accepted)).toEqual(inspection);
    expect(moving.reads.map((each) => each.address)).toEqual([b.address, c.address]);
    expect(moving.state.refreshes).toBe(1);

    const down = fixture(() => ({ kind: 'answered', result: accepted }));
    expect(await down.forwarder.forwardRead('wallet:x', { kind: 'wait', predicate: 'settled' }, down.refusal, 2_000, async () => accepted)).toMatchObject({ ok: false, code: 'unavailable' });
    expect(down.reads).toHaveLength(limits.forwardAttemptsMax);
    expect(down.forwarder.stats().readOutcomes.unavailable).toBe(1);
  });
});
