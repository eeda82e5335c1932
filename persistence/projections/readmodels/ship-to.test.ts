/**
 * The ship-to address on the orders read model (issue #15 §5): projected from OrderPlaced, shown
 * by the order queries, the same after a rebuild from the journal, and null for older orders.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { orderKey } from '../../../actors/keys.ts';
import type { OrderEvent, ShipToAddress } from '../../../actors/order/order-messages.ts';
import type { Db } from '../../adapters/db.ts';
import type { JournalEntry } from '../../adapters/journal.ts';
import { migrate } from '../../adapters/migrate.ts';
import { openPglite } from '../../adapters/pglite.ts';
import { createReadModelConsumer, truncateReadModels } from './consumer.ts';
import { findOrder, listOrders } from './order-queries.ts';
import { t0 } from './readmodels.fixtures.ts';

let db: Db;
beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
}, 60_000);
beforeEach(async () => truncateReadModels(db));
afterAll(async () => db.close());

const home: ShipToAddress = { name: 'Cleo Park', line1: '4 Elm Row', line2: null, city: 'Leeds', postalCode: 'LS1 4AP', countryCode: 'GB' };

function placed(orderId: string, shipTo?: ShipToAddress): JournalEntry<OrderEvent> {
  const event: OrderEvent = { type: 'OrderPlaced', orderId, checkoutId: 'c1', buyerId: 'b1', sellerId: 's1', items: [{ productId: 'tea', qty: 1 }], platformFeeBps: 250, at: t0, ...(shipTo === undefined ? {} : { shipTo }) };
  return { key: orderKey(orderId), seq: 1, events: [event], commandId: 'place', at: t0 };
}
const journal = [placed('o1', home), placed('o2')];

describe('the ship-to address on orders', () => {
  it('is projected from OrderPlaced, and null for an order placed without one', async () => {
    await createReadModelConsumer(db).handle(journal);
    expect((await findOrder(db, 'o1'))?.shipTo).toEqual(home);
    expect((await findOrder(db, 'o2'))?.shipTo).toBeNull();
    const listed = await listOrders(db, { side: 'any', userId: null, page: 1, pageSize: 10 });
    expect(listed.items.map((order) => [order.id, order.shipTo?.city ?? null]).sort()).toEqual([['o1', 'Leeds'], ['o2', null]]);
  });

  it('comes back the same when the read models are rebuilt from the journal', async () => {
    await createReadModelConsumer(db).handle(journal);
    const before = await findOrder(db, 'o1');
    await truncateReadModels(db);
    expect(await findOrder(db, 'o1')).toBeNull();
    await createReadModelConsumer(db).handle(journal);
    expect(await findOrder(db, 'o1')).toEqual(before);
  });
});
