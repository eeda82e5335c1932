/**
 * The ledger audit's report types and the report both audits share (audit.ts reads the journal,
 * audit-readmodels.ts the read models). See audit.ts for what the audit checks.
 */
import type { OrderStatus } from '../../../actors/order/order-messages.ts';

/** Minor units as a decimal string (see the header). */
export type MinorText = string;

export type MoneyStep = 'debited' | 'credited' | 'released' | 'refunded' | 'voided' | 'fee_credited';
export const moneySteps: readonly MoneyStep[] = ['debited', 'credited', 'released', 'refunded', 'voided', 'fee_credited'];

export type AuditedOrderStatus = OrderStatus | 'UNKNOWN';

export type LedgerAnomaly =
  /** The balance went below 0; `seq` is the first entry that took it there (null: read models). */
  | { readonly kind: 'negative_balance'; readonly walletId: string; readonly seq: number | null; readonly balanceMinor: MinorText }
  | { readonly kind: 'negative_locked'; readonly walletId: string; readonly seq: number | null; readonly lockedMinor: MinorText }
  | { readonly kind: 'negative_in_flight'; readonly orderId: string; readonly orderStatus: AuditedOrderStatus; readonly inFlightMinor: MinorText }
  | { readonly kind: 'stranded_in_flight'; readonly orderId: string; readonly orderStatus: AuditedOrderStatus; readonly inFlightMinor: MinorText }
  | { readonly kind: 'repeated_money_step'; readonly orderId: string; readonly step: MoneyStep; readonly count: number }
  | { readonly kind: 'unknown_event'; readonly key: string; readonly seq: number; readonly eventType: string }
  | { readonly kind: 'invalid_amount'; readonly key: string; readonly seq: number; readonly eventType: string }
  /** auditReadModels only: a wallet row disagrees with the sum of its ledger lines. */
  | {
      readonly kind: 'ledger_mismatch';
      readonly walletId: string;
      readonly balanceMinor: MinorText;
      readonly ledgerBalanceMinor: MinorText;
      readonly lockedMinor: MinorText;
      readonly ledgerLockedMinor: MinorText;
    }
  /** auditReadModels only: a read-model total differs from the journal's. */
  | { readonly kind: 'totals_mismatch'; readonly total: keyof LedgerTotals; readonly readModelMinor: MinorText; readonly journalMinor: MinorText };

export interface LedgerTotals {
  readonly depositsMinor: MinorText;
  readonly withdrawalsMinor: MinorText;
  readonly balanceMinor: MinorText;
  readonly lockedMinor: MinorText;
  /** Money in flight in unfinished orders. */
  readonly inFlightMinor: MinorText;
  /** Money in flight in finished or unknown orders. */
  readonly strandedMinor: MinorText;
  readonly driftMinor: MinorText;
}

export interface LedgerAudit {
  readonly ok: boolean;
  readonly source: 'journal' | 'read_models';
  /** The journal audit's cut-off (AuditOptions.asOfMs), or null for everything. */
  readonly asOfMs: number | null;
  readonly wallets: number;
  /** Orders that moved money. */
  readonly orders: number;
  readonly totals: LedgerTotals;
  /** Unfinished orders holding money in flight, at most `maxListed`. */
  readonly inFlight: readonly { readonly orderId: string; readonly orderStatus: AuditedOrderStatus; readonly inFlightMinor: MinorText }[];
  readonly anomalies: readonly LedgerAnomaly[];
  /** Set when a list was cut at `maxListed`: how many items there were in all. */
  readonly truncated: { readonly inFlight: number; readonly anomalies: number } | null;
}

export interface AuditOptions {
  /**
   * Audit the journal as of this time (epoch ms): each stream is read up to its first entry
   * journaled later. Pass the clock's now when auditing a live system. Streams are read one
   * after the other, so without a cut-off a saga step journaled between two reads can show as
   * money in flight that is negative; with it, every step counted was caused by steps at or
   * before the cut-off, and those were journaled before the audit began.
   */
  readonly asOfMs?: number;
  /** Entries read per page. */
  readonly pageSize?: number;
  /** Longest list in a report; the rest is counted in `truncated`. */
  readonly maxListed?: number;
}

export const defaultPageSize = 1_000;
export const defaultMaxListed = 1_000;


export interface OrderMoney {
  inFlight: bigint;
  readonly counts: Record<MoneyStep, number>;
}

// ---------------------------------------------------------------------------------------------
// The report, shared by both audits

export function isFinished(status: AuditedOrderStatus): boolean {
  return status === 'COMPLETED' || status === 'CANCELLED' || status === 'FAILED' || status === 'UNKNOWN';
}

export interface ReportInput {
  readonly source: LedgerAudit['source'];
  readonly asOfMs: number | null;
  readonly wallets: number;
  readonly sums: { readonly deposits: bigint; readonly withdrawals: bigint; readonly balance: bigint; readonly locked: bigint };
  readonly orders: readonly (OrderMoney & { readonly orderId: string; readonly orderStatus: AuditedOrderStatus })[];
  readonly anomalies: readonly LedgerAnomaly[];
  readonly maxListed: number;
}

export function report(input: ReportInput): LedgerAudit {
  const { sums } = input;
  const anomalies = [...input.anomalies];
  const inFlight: LedgerAudit['inFlight'][number][] = [];
  let inFlightTotal = 0n;
  let strandedTotal = 0n;
  const orders = [...input.orders].sort((left, right) => (left.orderId < right.orderId ? -1 : left.orderId > right.orderId ? 1 : 0));
  for (const order of orders) {
    const item = { orderId: order.orderId, orderStatus: order.orderStatus, inFlightMinor: String(order.inFlight) };
    if (order.inFlight < 0n) anomalies.push({ kind: 'negative_in_flight', ...item });
    if (isFinished(order.orderStatus)) {
      strandedTotal += order.inFlight;
      if (order.inFlight > 0n) anomalies.push({ kind: 'stranded_in_flight', ...item });
    } else {
      inFlightTotal += order.inFlight;
      if (order.inFlight !== 0n) inFlight.push(item);
    }
    for (const step of moneySteps) {
      const count = order.counts[step];
      if (count > 1) anomalies.push({ kind: 'repeated_money_step', orderId: order.orderId, step, count });
    }
  }
  const drift = sums.deposits - sums.withdrawals - (sums.balance + sums.locked + inFlightTotal);
  const cut = inFlight.length > input.maxListed || anomalies.length > input.maxListed;
  return {
    ok: drift === 0n && anomalies.length === 0,
    source: input.source,
    asOfMs: input.asOfMs,
    wallets: input.wallets,
    orders: input.orders.length,
    totals: {
      depositsMinor: String(sums.deposits),
      withdrawalsMinor: String(sums.withdrawals),
      balanceMinor: String(sums.balance),
      lockedMinor: String(sums.locked),
      inFlightMinor: String(inFlightTotal),
      strandedMinor: String(strandedTotal),
      driftMinor: String(drift),
    },
    inFlight: inFlight.slice(0, input.maxListed),
    anomalies: anomalies.slice(0, input.maxListed),
    truncated: cut ? { inFlight: inFlight.length, anomalies: anomalies.length } : null,
  };
}

