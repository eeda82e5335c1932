/** The address book on PGlite: one default per user, the first added is it, deleting it moves it, a bound per user. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShipToAddress } from '../../actors/order/ship-to.ts';
import { SqlAddressStore } from './addresses.ts';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';

let db: Db;
beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
}, 60_000);
afterAll(async () => {
  await db.close();
});

const home: ShipToAddress = { name: 'Ann Lee', line1: '1 Main St', line2: null, city: 'Springfield', postalCode: '62701', countryCode: 'US' };
const work: ShipToAddress = { name: 'Ann Lee', line1: '9 Dock Rd', line2: 'Floor 2', city: 'Portland', postalCode: '97201', countryCode: 'US' };
const defaults = async (store: SqlAddressStore, userId: string) => (await store.list(userId)).filter((address) => address.isDefault).map((address) => address.id);

describe('SqlAddressStore', () => {
  it('makes the first address the default, and moves the default when asked', async () => {
    const store = new SqlAddressStore(db, 5);
    expect(await store.add('u1', 'a1', home, false, 1)).toMatchObject({ ...home, id: 'a1', isDefault: true, createdAt: 1 });
    expect(await store.add('u1', 'a2', work, false, 2)).toMatchObject({ id: 'a2', isDefault: false, line2: 'Floor 2' });
    expect(await defaults(store, 'u1')).toEqual(['a1']);
    await store.add('u1', 'a3', work, true, 3);
    expect(await defaults(store, 'u1')).toEqual(['a3']);
    expect((await store.list('u1')).map((address) => address.id)).toEqual(['a3', 'a1', 'a2']);
    expect(await store.list('u2')).toEqual([]);
  });

  it("updates only the owner's address, and makes it the default only when asked", async () => {
    const store = new SqlAddressStore(db, 5);
    expect(await store.update('u1', 'a1', { ...home, city: 'Shelbyville' }, false, 10)).toMatchObject({ city: 'Shelbyville', isDefault: false, updatedAt: 10 });
    expect(await defaults(store, 'u1')).toEqual(['a3']);
    expect(await store.update('u2', 'a1', home, true, 11)).toBeNull();
    expect((await store.find('u1', 'a1'))?.city).toBe('Shelbyville');
    expect(await store.update('u1', 'a1', home, true, 12)).toMatchObject({ isDefault: true });
    expect(await defaults(store, 'u1')).toEqual(['a1']);
  });

  it('removes only the owner’s address; removing the default makes the newest remaining one the default', async () => {
    const store = new SqlAddressStore(db, 5);
    expect(await store.remove('u2', 'a1')).toBe(false);
    expect(await store.remove('u1', 'a1')).toBe(true);
    expect(await store.remove('u1', 'a1')).toBe(false);
    expect(await defaults(store, 'u1')).toEqual(['a3']);
    expect(await store.remove('u1', 'a2')).toBe(true);
    expect(await defaults(store, 'u1')).toEqual(['a3']);
    expect(await store.remove('u1', 'a3')).toBe(true);
    expect(await store.list('u1')).toEqual([]);
  });

  it('refuses an address past the bound per user', async () => {
    const store = new SqlAddressStore(db, 2);
    expect(await store.add('u3', 'b1', home, false, 1)).not.toBeNull();
    expect(await store.add('u3', 'b2', home, false, 2)).not.toBeNull();
    expect(await store.add('u3', 'b3', home, false, 3)).toBeNull();
    expect(await store.list('u3')).toHaveLength(2);
  });
});
