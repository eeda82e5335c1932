/**
 * The analytics consumer holds a request seen in a full batch (older order entries may wait in
 * the next one, as the processor reads in (key, seq) order) and runs it with the first batch that
 * is not full; a repeated batch holds the request once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../../runtime/testing/harness.ts';
import type { JournalEntry } from '../../persistence/adapters/journal.ts';
import { createSellerDailyConsumer } from '../../persistence/projections/analytics/seller-daily.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await openHarness();
});
afterAll(async () => harness?.close());

const entry = (key: string, seq: number, events: unknown[]): JournalEntry => ({ key, seq, commandId: `${key}#${seq}`, at: 1_000 * seq, events });
const request = entry('analytics:daily', 3, [{ type: 'AggregationRequested', fromDay: 20_000, toDay: 20_001, at: 3_000 }]);
const orderEntry = (seq: number) => entry('order:o1', seq, [{ type: 'Noted' }]);

describe('the analytics consumer', () => {
  it('holds a request from a full batch and runs it once the backlog is drained', async () => {
    const recorded: string[] = [];
    const consumer = createSellerDailyConsumer(harness.db, async (fromDay, toDay) => {
      recorded.push(`${fromDay}..${toDay}`);
      return { ok: true, transient: false };
    }, 2);
    await consumer.handle([request, orderEntry(1)]);
    expect(recorded).toEqual([]);
    await consumer.handle([request, orderEntry(2)]);
    expect(recorded).toEqual([]);
    await consumer.handle([orderEntry(3)]);
    expect(recorded).toEqual(['20000..20001']);
    await consumer.handle([orderEntry(4)]);
    expect(recorded).toEqual(['20000..20001']);
  });

  it('keeps the request held when its answer fails transiently, and runs it on the repeat', async () => {
    let failures = 1;
    const recorded: string[] = [];
    const consumer = createSellerDailyConsumer(harness.db, async (fromDay, toDay) => {
      if (failures-- > 0) return { ok: false, code: 'timeout', transient: true };
      recorded.push(`${fromDay}..${toDay}`);
      return { ok: true, transient: false };
    }, 10);
    await expect(consumer.handle([request])).rejects.toThrow(/not recorded: timeout/);
    await consumer.handle([request]);
    expect(recorded).toEqual(['20000..20001']);
  });
});
