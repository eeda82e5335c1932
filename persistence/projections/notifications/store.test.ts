import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../adapters/db.ts';
import { openMigratedPglite } from '../../adapters/testing/pglite-template.ts';
import type { PlannedNotification } from './notifications.ts';
import { SqlNotificationStore } from './store.ts';

let db: Db;
beforeAll(async () => {
  db = await openMigratedPglite();
});
afterAll(async () => db.close());

function planned(userId: string, source: string): PlannedNotification {
  return { userId, source, event: 'wallet.changed', data: { change: 'Deposited', amountMinor: 100, orderId: null }, at: 1_767_225_600_000 } as PlannedNotification;
}

describe('the notification store', () => {
  it('stores a round in one go: consecutive seqs per user, in the given order, each source once', async () => {
    const store = new SqlNotificationStore(db);
    expect(await store.appendMany([planned('ann', 'a1')])).toMatchObject([{ userId: 'ann', notification: { seq: 1 } }]);
    const stored = await store.appendMany([
      planned('bob', 'b1'),
      planned('ann', 'a2'),
      planned('ann', 'a1'), // stored before: left out
      planned('bob', 'b2'),
      planned('ann', 'a3'),
      planned('bob', 'b2'), // repeated in the call: left out
    ]);
    expect(stored.map(({ userId, notification }) => `${userId}#${notification.seq}`)).toEqual(['bob#1', 'ann#2', 'bob#2', 'ann#3']);
    expect((await store.after('ann', 0, 10)).map((notification) => notification.seq)).toEqual([1, 2, 3]);
    expect(await store.appendMany([])).toEqual([]);
    expect(await store.appendMany([planned('bob', 'b1')])).toEqual([]);
  });
});
