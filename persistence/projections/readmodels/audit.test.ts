import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrderEvent } from '../../../actors/order/order-messages.ts';
import { maxMinor, type WalletEvent } from '../../../actors/wallet/wallet.ts';
import type { Db } from '../../adapters/db.ts';
import { openMigratedPglite } from '../../adapters/testing/pglite-template.ts';
import { SqlJournal } from '../../adapters/sql-journal.ts';
import { auditLedger, auditReadModels, type LedgerAudit } from './audit.ts';
import { truncateReadModels } from './consumer.ts';
import { appendAll, dayMs, t0, type PlannedAppend } from './readmodels.fixtures.ts';
import { rebuildReadModels } from './rebuild.ts';
import { orderKey, walletKey } from '../../../actors/keys.ts';

let db: Db;
let journal: SqlJournal;
beforeAll(async () => {
  db = await openMigratedPglite();
  journal = new SqlJournal(db, { batching: true, maxBatch: 100, maxWaitMs: 0 });
});
beforeEach(async () => {
  await truncateReadModels(db);
  await db.query('TRUNCATE journal');
});
afterAll(async () => {
  await journal.close();
  await db.close();
});

let commandCount = 0;
function wallet(userId: string, at: number, ...events: WalletEvent[]): PlannedAppend {
  commandCount += 1;
  return { key: walletKey(userId), entry: { events, commandId: `w${commandCount}`, at } };
}
function order(orderId: string, at: number, ...events: OrderEvent[]): PlannedAppend {
  commandCount += 1;
  return { key: orderKey(orderId), entry: { events, commandId: `o${commandCount}`, at } };
}
const placed = (orderId: string, at: number): OrderEvent => ({
  type: 'OrderPlaced',
  orderId,
  checkoutId: 'c1',
  buyerId: 'b1',
  sellerId: 's1',
  items: [{ productId: 'tea', qty: 1 }],
  platformFeeBps: 250,
  at,
});
const priced = (totalMinor: number, feeMinor: number, at: number): OrderEvent => ({
  type: 'OrderPriced',
  items: [{ productId: 'tea', title: 'Tea', qty: 1, unitPriceMinor: totalMinor }],
  totalMinor,
  feeMinor,
  at,
});

/** o1 completes (fee 40), o2 is cancelled and refunded, o3 is paid, o4 waits for its seller's credit. */
function balancedHistory(): PlannedAppend[] {
  return [
    wallet('b1', t0, { type: 'Deposited', commandId: 'd1', amountMinor: 10_000 }),
    wallet('b2', t0, { type: 'Deposited', commandId: 'd2', amountMinor: 5_000 }),
    order('o1', t0 + 1, placed('o1', t0 + 1), priced(1_600, 40, t0 + 1)),
    wallet('b1', t0 + 2, { type: 'DebitedForOrder', orderId: 'o1', amountMinor: 1_600 }),
    wallet('s1', t0 + 3, { type: 'PendingCredited', orderId: 'o1', amountMinor: 1_600 }),
    order('o1', t0 + 4, { type: 'OrderPaid', at: t0 + 4 }, { type: 'OrderShipped', at: t0 + dayMs, releaseDueAt: t0 + 8 * dayMs }),
    order('o2', t0 + 5, placed('o2', t0 + 5), priced(700, 17, t0 + 5)),
    wallet('b1', t0 + 6, { type: 'DebitedForOrder', orderId: 'o2', amountMinor: 700 }),
    wallet('s1', t0 + 7, { type: 'PendingCredited', orderId: 'o2', amountMinor: 700 }),
    order('o2', t0 + 8, { type: 'OrderPaid', at: t0 + 8 }, { type: 'CancellationStarted', reason: 'seller_cancelled', at: t0 + 8 }),
    wallet('s1', t0 + 9, { type: 'PendingVoided', orderId: 'o2', amountMinor: 700 }),
    wallet('b1', t0 + 10, { type: 'OrderRefunded', orderId: 'o2', amountMinor: 700 }),
    order('o2', t0 + 11, { type: 'OrderCancelled', reason: 'seller_cancelled', refundedMinor: 700, at: t0 + 11 }),
    order('o3', t0 + 12, placed('o3', t0 + 12), priced(900, 22, t0 + 12)),
    wallet('b2', t0 + 13, { type: 'DebitedForOrder', orderId: 'o3', amountMinor: 900 }),
    wallet('s1', t0 + 14, { type: 'PendingCredited', orderId: 'o3', amountMinor: 900 }),
    order('o3', t0 + 15, { type: 'OrderPaid', at: t0 + 15 }),
    order('o1', t0 + 9 * dayMs, { type: 'ReleaseStarted', reason: 'auto_release', at: t0 + 9 * dayMs }),
    wallet('s1', t0 + 9 * dayMs + 1, { type: 'PendingReleased', orderId: 'o1', amountMinor: 1_600, feeMinor: 40 }),
    wallet('platform', t0 + 9 * dayMs + 2, { type: 'FeeCredited', orderId: 'o1', amountMinor: 40 }),
    order('o1', t0 + 9 * dayMs + 3, { type: 'OrderCompleted', reason: 'auto_release', releasedMinor: 1_600, feeMinor: 40, at: t0 + 9 * dayMs + 3 }),
    order('o4', t0 + 10 * dayMs, placed('o4', t0 + 10 * dayMs), priced(300, 7, t0 + 10 * dayMs)),
    wallet('b2', t0 + 10 * dayMs + 1, { type: 'DebitedForOrder', orderId: 'o4', amountMinor: 300 }),
    wallet('s1', t0 + 10 * dayMs + 2, { type: 'Withdrawn', commandId: 'w1', amountMinor: 1_000 }),
  ];
}

/** Audits the journal, then projects it and audits the read models against the journal's totals. */
async function auditBoth(): Promise<{ journalAudit: LedgerAudit; readModelAudit: LedgerAudit }> {
  const journalAudit = await auditLedger(journal);
  await rebuildReadModels(db, journal);
  return { journalAudit, readModelAudit: await auditReadModels(db, { journalAudit }) };
}

describe('auditLedger and auditReadModels', () => {
  it('audit a balanced history clean, counting the unfinished saga’s money in flight', async () => {
    await appendAll(journal, balancedHistory());
    const { journalAudit, readModelAudit } = await auditBoth();
    expect(journalAudit).toEqual({
      ok: true,
      source: 'journal',
      asOfMs: null,
      wallets: 4,
      orders: 4,
      totals: {
        depositsMinor: '15000',
        withdrawalsMinor: '1000',
        // b1 8 400, b2 3 800, s1 1 600 − 40 − 1 000, platform 40.
        balanceMinor: '12800',
        lockedMinor: '900',
        inFlightMinor: '300',
        strandedMinor: '0',
        driftMinor: '0',
      },
      inFlight: [{ orderId: 'o4', orderStatus: 'PLACED', inFlightMinor: '300' }],
      anomalies: [],
      truncated: null,
    });
    expect(readModelAudit).toEqual({ ...journalAudit, source: 'read_models' });
  });

  it('report a debit with no matching credit for a COMPLETED order as stranded money and drift', async () => {
    await appendAll(journal, [
      ...balancedHistory(),
      order('o5', t0 + 11 * dayMs, placed('o5', t0 + 11 * dayMs), priced(250, 6, t0 + 11 * dayMs)),
      wallet('b1', t0 + 11 * dayMs, { type: 'DebitedForOrder', orderId: 'o5', amountMinor: 250 }),
      order('o5', t0 + 12 * dayMs, { type: 'OrderPaid', at: t0 + 12 * dayMs }, { type: 'ReleaseStarted', reason: 'buyer_confirmed', at: t0 + 12 * dayMs }),
      order('o5', t0 + 12 * dayMs, { type: 'OrderCompleted', reason: 'buyer_confirmed', releasedMinor: 250, feeMinor: 6, at: t0 + 12 * dayMs }),
    ]);
    const { journalAudit, readModelAudit } = await auditBoth();
    expect(journalAudit.ok).toBe(false);
    expect(journalAudit.totals).toMatchObject({ inFlightMinor: '300', strandedMinor: '250', driftMinor: '250' });
    expect(journalAudit.anomalies).toEqual([{ kind: 'stranded_in_flight', orderId: 'o5', orderStatus: 'COMPLETED', inFlightMinor: '250' }]);
    // The projection is faithful: the read models show the same loss, and no mismatch.
    expect(readModelAudit.totals).toEqual(journalAudit.totals);
    expect(readModelAudit.anomalies).toEqual(journalAudit.anomalies);
  });

  it('report money moved for an order no order stream knows', async () => {
    await appendAll(journal, [...balancedHistory(), wallet('b1', t0 + 11 * dayMs, { type: 'DebitedForOrder', orderId: 'ghost', amountMinor: 99 })]);
    const { journalAudit, readModelAudit } = await auditBoth();
    expect(journalAudit.totals.driftMinor).toBe('99');
    expect(journalAudit.anomalies).toEqual([{ kind: 'stranded_in_flight', orderId: 'ghost', orderStatus: 'UNKNOWN', inFlightMinor: '99' }]);
    expect(readModelAudit.anomalies).toEqual(journalAudit.anomalies);
  });

  it('report a balance an injected event took below zero, and where', async () => {
    await appendAll(journal, [...balancedHistory(), wallet('b2', t0 + 11 * dayMs, { type: 'Withdrawn', commandId: 'w-big', amountMinor: 5_000 })]);
    const { journalAudit, readModelAudit } = await auditBoth();
    expect(journalAudit.ok).toBe(false);
    expect(journalAudit.totals.driftMinor).toBe('0');
    expect(journalAudit.anomalies).toEqual([{ kind: 'negative_balance', walletId: 'b2', seq: 4, balanceMinor: '-1200' }]);
    expect(readModelAudit.ok).toBe(false);
    expect(readModelAudit.anomalies).toEqual([{ kind: 'negative_balance', walletId: 'b2', seq: null, balanceMinor: '-1200' }]);
  });

  it('report a negative locked balance', async () => {
    await appendAll(journal, [...balancedHistory(), wallet('s2', t0 + 11 * dayMs, { type: 'PendingVoided', orderId: 'o3', amountMinor: 900 })]);
    const { journalAudit } = await auditBoth();
    expect(journalAudit.anomalies).toContainEqual({ kind: 'negative_locked', walletId: 's2', seq: 1, lockedMinor: '-900' });
  });

  it('report an order paid twice, and money in flight that went negative', async () => {
    await appendAll(journal, [
      ...balancedHistory(),
      // o3 is paid again by another wallet, and o4's seller is credited twice.
      wallet('b1', t0 + 11 * dayMs, { type: 'DebitedForOrder', orderId: 'o3', amountMinor: 900 }),
      wallet('s1', t0 + 11 * dayMs, { type: 'PendingCredited', orderId: 'o4', amountMinor: 300 }),
      wallet('s2', t0 + 11 * dayMs, { type: 'PendingCredited', orderId: 'o4', amountMinor: 300 }),
    ]);
    const { journalAudit, readModelAudit } = await auditBoth();
    expect(journalAudit.ok).toBe(false);
    expect(journalAudit.anomalies).toEqual([
      { kind: 'repeated_money_step', orderId: 'o3', step: 'debited', count: 2 },
      { kind: 'negative_in_flight', orderId: 'o4', orderStatus: 'PLACED', inFlightMinor: '-300' },
      { kind: 'repeated_money_step', orderId: 'o4', step: 'credited', count: 2 },
    ]);
    expect(readModelAudit.anomalies).toEqual(journalAudit.anomalies);
  });

  it('report an order released and refunded twice', async () => {
    await appendAll(journal, [
      ...balancedHistory(),
      wallet('s1', t0 + 11 * dayMs, { type: 'PendingReleased', orderId: 'o1', amountMinor: 1_600, feeMinor: 40 }),
      wallet('b1', t0 + 11 * dayMs, { type: 'OrderRefunded', orderId: 'o2', amountMinor: 700 }),
    ]);
    const { journalAudit } = await auditBoth();
    expect(journalAudit.anomalies).toEqual(
      expect.arrayContaining([
        { kind: 'repeated_money_step', orderId: 'o1', step: 'released', count: 2 },
        { kind: 'repeated_money_step', orderId: 'o2', step: 'refunded', count: 2 },
        { kind: 'negative_locked', walletId: 's1', seq: 7, lockedMinor: '-700' },
      ]),
    );
    expect(journalAudit.ok).toBe(false);
  });

  it('report events it does not know and amounts that are not whole cents, without summing them', async () => {
    await appendAll(journal, [
      ...balancedHistory(),
      { key: 'wallet:b1', entry: { events: [{ type: 'Gifted', amountMinor: 5 }], commandId: 'gift', at: t0 + 11 * dayMs } },
      { key: 'wallet:b2', entry: { events: [{ type: 'Deposited', commandId: 'half', amountMinor: 0.5 }], commandId: 'half', at: t0 + 11 * dayMs } },
    ]);
    const journalAudit = await auditLedger(journal);
    expect(journalAudit.anomalies).toEqual([
      { kind: 'unknown_event', key: 'wallet:b1', seq: 5, eventType: 'Gifted' },
      { kind: 'invalid_amount', key: 'wallet:b2', seq: 4, eventType: 'Deposited' },
    ]);
    expect(journalAudit.totals.depositsMinor).toBe('15000');
  });

  it('audit the journal as of a time, each stream up to it', async () => {
    await appendAll(journal, balancedHistory());
    // Before o1's release: o4 is not placed yet and s1 has withdrawn nothing.
    const audit = await auditLedger(journal, { asOfMs: t0 + 9 * dayMs + 1 });
    expect(audit).toMatchObject({ ok: true, asOfMs: t0 + 9 * dayMs + 1, orders: 3 });
    expect(audit.totals).toEqual({
      depositsMinor: '15000',
      withdrawalsMinor: '0',
      balanceMinor: '14060',
      lockedMinor: '900',
      // o1's fee has left the seller but not reached the platform yet.
      inFlightMinor: '40',
      strandedMinor: '0',
      driftMinor: '0',
    });
    expect(audit.inFlight).toEqual([{ orderId: 'o1', orderStatus: 'SHIPPED', inFlightMinor: '40' }]);
  });

  it('sum past 2^53 exactly', async () => {
    await appendAll(journal, [
      wallet('rich1', t0, { type: 'Deposited', commandId: 'd1', amountMinor: maxMinor }),
      wallet('rich2', t0, { type: 'Deposited', commandId: 'd2', amountMinor: maxMinor }),
      wallet('rich3', t0, { type: 'Deposited', commandId: 'd3', amountMinor: maxMinor }),
    ]);
    const { journalAudit, readModelAudit } = await auditBoth();
    const expected = String(3n * BigInt(maxMinor));
    expect(journalAudit.totals).toMatchObject({ depositsMinor: expected, balanceMinor: expected, driftMinor: '0' });
    expect(readModelAudit.ok).toBe(true);
    expect(readModelAudit.totals).toEqual(journalAudit.totals);
  });

  it('catch read models that differ from their ledger lines or from the journal', async () => {
    await appendAll(journal, balancedHistory());
    const { journalAudit } = await auditBoth();
    await db.query("UPDATE ledger_entries SET status = 'LOCKED' WHERE kind = 'sale' AND order_id = 'o1'");
    await db.query("UPDATE wallets SET deposited_total = deposited_total + 1 WHERE id = 'b1'");
    const audit = await auditReadModels(db, { journalAudit });
    expect(audit.ok).toBe(false);
    expect(audit.anomalies).toEqual([
      { kind: 'totals_mismatch', total: 'depositsMinor', readModelMinor: '15001', journalMinor: '15000' },
      { kind: 'totals_mismatch', total: 'driftMinor', readModelMinor: '1', journalMinor: '0' },
      { kind: 'ledger_mismatch', walletId: 's1', balanceMinor: '560', ledgerBalanceMinor: '-1040', lockedMinor: '900', ledgerLockedMinor: '2500' },
    ]);
  });

  it('cut long lists and say how long they were', async () => {
    await appendAll(
      journal,
      Array.from({ length: 5 }, (_, index) => wallet(`w${index}`, t0, { type: 'DebitedForOrder', orderId: `lost${index}`, amountMinor: 10 })),
    );
    const audit = await auditLedger(journal, { maxListed: 3 });
    expect(audit.anomalies).toHaveLength(3);
    expect(audit.truncated).toEqual({ inFlight: 0, anomalies: 10 });
    expect(audit.totals.driftMinor).toBe('50');
  });
});
