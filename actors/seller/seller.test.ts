import { describe, expect, it } from 'vitest';
import { deciderSpecification } from '../testing/decider-spec.ts';
import { catalogLimits } from './seller-catalog.ts';
import type { ProductFields, SellerCommand, SellerEvent } from './seller-messages.ts';
import { evolve, initialState, sellerDecider } from './seller.ts';

// ---------------------------------------------------------------------------------------------
// Given (events) / When (command) / Then (events or rejection)

const now = Date.UTC(2026, 0, 1);
const earlier = now - 3_600_000;

const { given, stateOf } = deciderSpecification(sellerDecider, { now });

const mug: ProductFields = { title: 'Mug', description: 'A mug.', priceMinor: 1_000, stock: 5, category: 'kitchen' };
const tea: ProductFields = { title: 'Tea', description: '', priceMinor: 250, stock: 10, category: 'food' };

const ev = {
  registered: (): SellerEvent => ({ type: 'SellerRegistered', name: 'Ada', email: 'ada@example.com', at: earlier }),
  suspended: (): SellerEvent => ({ type: 'SellerSuspended', reason: 'fraud check', at: earlier }),
  reactivated: (at = now): SellerEvent => ({ type: 'SellerReactivated', at }),
  created: (productId: string, fields: ProductFields, at = earlier): SellerEvent => ({ type: 'ProductCreated', productId, fields, at }),
  updated: (productId: string, patch: Partial<ProductFields>, at = now): SellerEvent => ({ type: 'ProductUpdated', productId, patch, at }),
  deleted: (productId: string, at = earlier): SellerEvent => ({ type: 'ProductDeleted', productId, at }),
  image: (productId: string, imageKey: string, at = now): SellerEvent => ({ type: 'ProductImageAdded', productId, imageKey, at }),
  reserved: (orderId: string, items: { productId: string; title: string; qty: number; unitPriceMinor: number }[], at = earlier): SellerEvent => ({
    type: 'StockReserved',
    orderId,
    items,
    at,
  }),
  released: (orderId: string, items: { productId: string; title: string; qty: number; unitPriceMinor: number }[], at = now): SellerEvent => ({
    type: 'StockReleased',
    orderId,
    items,
    at,
  }),
  outcome: (orderId: string, outcome: 'placed' | 'shipped' | 'completed' | 'cancelled' | 'disputed', atMs = now): SellerEvent => ({
    type: 'OrderOutcomeRecorded',
    orderId,
    outcome,
    atMs,
  }),
  fenced: (orderId: string): SellerEvent => ({ type: 'ReservationFenced', orderId }),
};

const cmd = {
  register: (): SellerCommand => ({ type: 'RegisterSeller', commandId: 'r1', name: 'Ada', email: 'ada@example.com' }),
  suspend: (): SellerCommand => ({ type: 'SuspendSeller', commandId: 's1', reason: 'fraud check' }),
  reactivate: (): SellerCommand => ({ type: 'ReactivateSeller', commandId: 'a1' }),
  create: (productId: string, fields: ProductFields): SellerCommand => ({ type: 'CreateProduct', commandId: 'c1', productId, fields }),
  update: (productId: string, patch: Partial<ProductFields>): SellerCommand => ({ type: 'UpdateProduct', commandId: 'u1', productId, patch }),
  delete: (productId: string): SellerCommand => ({ type: 'DeleteProduct', commandId: 'd1', productId }),
  image: (productId: string, imageKey: string): SellerCommand => ({ type: 'AddProductImage', commandId: 'i1', productId, imageKey }),
  reserve: (orderId: string, items: { productId: string; qty: number }[]): SellerCommand => ({ type: 'ReserveStock', orderId, items }),
  release: (orderId: string): SellerCommand => ({ type: 'ReleaseStock', orderId }),
  outcome: (orderId: string, outcome: 'placed' | 'shipped' | 'completed' | 'cancelled' | 'disputed', atMs = now): SellerCommand => ({
    type: 'RecordOrderOutcome',
    orderId,
    outcome,
    atMs,
  }),
};

const catalog = [ev.registered(), ev.created('mug', mug), ev.created('tea', tea)];
const mugLine = (qty: number) => ({ productId: 'mug', title: 'Mug', qty, unitPriceMinor: 1_000 });
const teaLine = (qty: number) => ({ productId: 'tea', title: 'Tea', qty, unitPriceMinor: 250 });
const reservedO1 = [...catalog, ev.reserved('o1', [mugLine(2), teaLine(3)])];

// ---------------------------------------------------------------------------------------------

describe('sellerDecider', () => {
  it('is the seller kind at state version 3 (with fences, without stats), starting unregistered and active', () => {
    expect(sellerDecider.kind).toBe('seller');
    // 3: the stats, the outcomes counted and each reservation's placedAtMs are gone, so a version-2
    // snapshot, which holds them, is replayed instead of loaded.
    expect(sellerDecider.stateVersion).toBe(3);
    expect(sellerDecider.initialState).toEqual({
      registered: false,
      name: '',
      email: '',
      lifecycleState: 'ACTIVE',
      products: {},
      reservations: {},
      fencedOrders: {},
    });
  });

  it.each<[SellerCommand, string]>([
    [cmd.register(), 'r1'],
    [cmd.suspend(), 's1'],
    [cmd.reactivate(), 'a1'],
    [cmd.create('p', mug), 'c1'],
    [cmd.update('p', {}), 'u1'],
    [cmd.delete('p'), 'd1'],
    [cmd.image('p', 'k'), 'i1'],
    [cmd.reserve('o7', []), 'reserve:o7'],
    [cmd.release('o7'), 'release-stock:o7'],
    [cmd.outcome('o7', 'shipped'), 'stat:o7:shipped'],
  ])('keys %j as %s', (command, key) => {
    expect(sellerDecider.commandId(command)).toBe(key);
  });
});

describe('RegisterSeller, SuspendSeller, ReactivateSeller', () => {
  it('registers once', () => {
    const state = stateOf(given().when(cmd.register()).then({ type: 'SellerRegistered', name: 'Ada', email: 'ada@example.com', at: now }));
    expect(state).toMatchObject({ registered: true, name: 'Ada', email: 'ada@example.com' });
    given(ev.registered()).when(cmd.register()).thenRejects('seller_already_registered');
  });

  it('suspends and reactivates a registered seller; a repeat changes nothing', () => {
    const suspended = stateOf(given(ev.registered()).when(cmd.suspend()).then({ type: 'SellerSuspended', reason: 'fraud check', at: now }));
    expect(suspended.lifecycleState).toBe('SUSPENDED');
    given(ev.registered(), ev.suspended()).when(cmd.suspend()).then();
    const active = stateOf(given(ev.registered(), ev.suspended()).when(cmd.reactivate()).then(ev.reactivated()));
    expect(active.lifecycleState).toBe('ACTIVE');
    given(ev.registered()).when(cmd.reactivate()).then();
  });

  it('refuses lifecycle and catalog commands before registration', () => {
    for (const command of [cmd.suspend(), cmd.reactivate(), cmd.create('mug', mug), cmd.update('mug', { stock: 1 }), cmd.delete('mug')]) {
      given().when(command).thenRejects('seller_not_registered');
    }
    given().when(cmd.reserve('o1', [{ productId: 'mug', qty: 1 }])).thenRejects('seller_not_registered');
  });
});

describe('CreateProduct', () => {
  it('adds a product with no images', () => {
    const state = stateOf(given(ev.registered()).when(cmd.create('mug', mug)).then(ev.created('mug', mug, now)));
    expect(state.products['mug']).toEqual({ productId: 'mug', ...mug, images: [], deleted: false, createdAt: now, updatedAt: now });
  });

  it('refuses a suspended seller', () => {
    given(ev.registered(), ev.suspended()).when(cmd.create('mug', mug)).thenRejects('seller_suspended');
  });

  it('refuses an id already taken, even by a deleted product', () => {
    given(...catalog).when(cmd.create('mug', tea)).thenRejects('product_exists');
    given(...catalog, ev.deleted('mug')).when(cmd.create('mug', tea)).thenRejects('product_exists');
  });

  it('accepts the edges of every field', () => {
    const edges: ProductFields = { title: 'x'.repeat(200), description: '', priceMinor: 1, stock: 0, category: 'c' };
    given(ev.registered()).when(cmd.create('edge', edges)).then(ev.created('edge', edges, now));
    const emoji: ProductFields = { ...mug, title: '☕'.repeat(200) };
    given(ev.registered()).when(cmd.create('emoji', emoji)).then(ev.created('emoji', emoji, now));
    const big: ProductFields = { ...mug, priceMinor: Number.MAX_SAFE_INTEGER, stock: catalogLimits.stockMax };
    given(ev.registered()).when(cmd.create('big', big)).then(ev.created('big', big, now));
  });

  it.each<[string, Partial<ProductFields>]>([
    ['an empty title', { title: '' }],
    ['a blank title', { title: '   ' }],
    ['a title of 201 characters', { title: 'x'.repeat(201) }],
    ['a description past the limit', { description: 'x'.repeat(catalogLimits.descriptionMaxChars + 1) }],
    ['a zero price', { priceMinor: 0 }],
    ['a negative price', { priceMinor: -100 }],
    ['a fractional price', { priceMinor: 9.99 }],
    ['a NaN price', { priceMinor: Number.NaN }],
    ['an unsafe price', { priceMinor: 2 ** 53 }],
    ['negative stock', { stock: -1 }],
    ['fractional stock', { stock: 1.5 }],
    ['stock past the limit', { stock: catalogLimits.stockMax + 1 }],
    ['an empty category', { category: '' }],
    ['a blank category', { category: ' ' }],
  ])('rejects %s as invalid_product', (_name, change) => {
    given(ev.registered()).when(cmd.create('p', { ...mug, ...change })).thenRejects('invalid_product');
  });
});

describe('UpdateProduct', () => {
  it('applies a valid patch of known fields only', () => {
    const patch = { priceMinor: 1_200, stock: 0, colour: 'red' } as Partial<ProductFields>;
    const state = stateOf(given(...catalog).when(cmd.update('mug', patch)).then(ev.updated('mug', { priceMinor: 1_200, stock: 0 })));
    expect(state.products['mug']).toMatchObject({ ...mug, priceMinor: 1_200, stock: 0, createdAt: earlier, updatedAt: now });
  });

  it('validates the product as it would be after the patch', () => {
    given(...catalog).when(cmd.update('mug', { title: ' ' })).thenRejects('invalid_product');
    given(...catalog).when(cmd.update('mug', { priceMinor: 0 })).thenRejects('invalid_product');
    given(...catalog).when(cmd.update('mug', { stock: -1 })).thenRejects('invalid_product');
  });

  it('accepts an empty patch with no events', () => {
    given(...catalog).when(cmd.update('mug', {})).then();
  });

  it('refuses an unknown or deleted product', () => {
    given(...catalog).when(cmd.update('cup', { stock: 1 })).thenRejects('product_not_found');
    given(...catalog, ev.deleted('mug')).when(cmd.update('mug', { stock: 1 })).thenRejects('product_not_found');
  });

  it('stays open to a suspended seller, who may correct or withdraw listings', () => {
    given(...catalog, ev.suspended()).when(cmd.update('mug', { stock: 0 })).then(ev.updated('mug', { stock: 0 }));
    given(...catalog, ev.suspended()).when(cmd.delete('mug')).then(ev.deleted('mug', now));
  });
});

describe('DeleteProduct and AddProductImage', () => {
  it('deletes once; deleting again changes nothing', () => {
    const state = stateOf(given(...catalog).when(cmd.delete('mug')).then(ev.deleted('mug', now)));
    expect(state.products['mug']?.deleted).toBe(true);
    given(...catalog, ev.deleted('mug')).when(cmd.delete('mug')).then();
    given(...catalog).when(cmd.delete('cup')).thenRejects('product_not_found');
  });

  it('adds an image once, within bounds', () => {
    const state = stateOf(given(...catalog).when(cmd.image('mug', 'img/1.webp')).then(ev.image('mug', 'img/1.webp')));
    expect(state.products['mug']?.images).toEqual(['img/1.webp']);
    given(...catalog, ev.image('mug', 'img/1.webp')).when(cmd.image('mug', 'img/1.webp')).then();
    given(...catalog).when(cmd.image('mug', ' ')).thenRejects('invalid_product');
    const full = Array.from({ length: catalogLimits.imagesPerProductMax }, (_, index) => ev.image('mug', `img/${index}`));
    given(...catalog, ...full).when(cmd.image('mug', 'img/last')).thenRejects('invalid_product');
    given(...catalog, ev.deleted('mug')).when(cmd.image('mug', 'img/1.webp')).thenRejects('product_not_found');
  });
});

describe('ReserveStock', () => {
  it('reserves every line at the catalog price and takes the stock', () => {
    const state = stateOf(given(...catalog)
      .when(cmd.reserve('o1', [{ productId: 'mug', qty: 2 }, { productId: 'tea', qty: 3 }]))
      .then(ev.reserved('o1', [mugLine(2), teaLine(3)], now)));
    expect(state.products['mug']?.stock).toBe(3);
    expect(state.products['tea']?.stock).toBe(7);
    expect(state.reservations['o1']).toEqual({ items: [mugLine(2), teaLine(3)], status: 'RESERVED' });
  });

  it('merges lines of the same product', () => {
    given(...catalog)
      .when(cmd.reserve('o1', [{ productId: 'mug', qty: 2 }, { productId: 'tea', qty: 1 }, { productId: 'mug', qty: 3 }]))
      .then(ev.reserved('o1', [mugLine(5), teaLine(1)], now));
  });

  it('reserves all lines or none, naming the short product', () => {
    const short = given(...catalog).when(cmd.reserve('o1', [{ productId: 'tea', qty: 1 }, { productId: 'mug', qty: 6 }]));
    short.thenRejects('out_of_stock', 'mug');
    given(...catalog).when(cmd.reserve('o1', [{ productId: 'mug', qty: 3 }, { productId: 'mug', qty: 3 }])).thenRejects('out_of_stock', 'mug');
    given(...catalog).when(cmd.reserve('o1', [{ productId: 'mug', qty: 5 }])).then(ev.reserved('o1', [mugLine(5)], now));
  });

  it('refuses deleted and unknown products', () => {
    given(...catalog, ev.deleted('mug')).when(cmd.reserve('o1', [{ productId: 'mug', qty: 1 }])).thenRejects('product_not_found', 'mug');
    given(...catalog).when(cmd.reserve('o1', [{ productId: 'tea', qty: 1 }, { productId: 'cup', qty: 1 }])).thenRejects('product_not_found', 'cup');
    given(...catalog).when(cmd.reserve('o1', [{ productId: 'constructor', qty: 1 }])).thenRejects('product_not_found');
  });

  it('refuses a suspended seller', () => {
    given(...catalog, ev.suspended()).when(cmd.reserve('o1', [{ productId: 'mug', qty: 1 }])).thenRejects('seller_suspended');
  });

  it('refuses empty reservations, bad quantities and totals past the largest safe amount', () => {
    given(...catalog).when(cmd.reserve('o1', [])).thenRejects('empty_reservation');
    for (const qty of [0, -1, 1.5, Number.NaN]) {
      given(...catalog).when(cmd.reserve('o1', [{ productId: 'mug', qty }])).thenRejects('invalid_reservation');
    }
    const tooMany = Array.from({ length: catalogLimits.reservationLinesMax + 1 }, () => ({ productId: 'tea', qty: 1 }));
    given(...catalog).when(cmd.reserve('o1', tooMany)).thenRejects('invalid_reservation');
    const dear = ev.created('gold', { ...mug, priceMinor: 2 ** 52, stock: 10 });
    given(...catalog, dear).when(cmd.reserve('o1', [{ productId: 'gold', qty: 1 }])).then(
      ev.reserved('o1', [{ productId: 'gold', title: 'Mug', qty: 1, unitPriceMinor: 2 ** 52 }], now),
    );
    given(...catalog, dear).when(cmd.reserve('o1', [{ productId: 'gold', qty: 2 }])).thenRejects('invalid_reservation');
  });

  it('accepts a repeat with no events, whatever the stock, prices or lifecycle are now', () => {
    given(...reservedO1).when(cmd.reserve('o1', [{ productId: 'mug', qty: 2 }, { productId: 'tea', qty: 3 }])).then();
    given(...reservedO1).when(cmd.reserve('o1', [{ productId: 'tea', qty: 3 }, { productId: 'mug', qty: 1 }, { productId: 'mug', qty: 1 }])).then();
    const later = [ev.updated('mug', { stock: 0, priceMinor: 9_999 }), ev.suspended()];
    given(...reservedO1, ...later).when(cmd.reserve('o1', [{ productId: 'mug', qty: 2 }, { productId: 'tea', qty: 3 }])).then();
  });

  it('rejects a repeat with other items', () => {
    given(...reservedO1).when(cmd.reserve('o1', [{ productId: 'mug', qty: 2 }])).thenRejects('conflicting_retry');
    given(...reservedO1).when(cmd.reserve('o1', [{ productId: 'mug', qty: 2 }, { productId: 'tea', qty: 4 }])).thenRejects('conflicting_retry');
  });

  it('refuses an order fenced by an earlier release (its late attempt), whatever the stock or lifecycle', () => {
    given(...catalog, ev.fenced('o1')).when(cmd.reserve('o1', [{ productId: 'mug', qty: 2 }])).thenRejects('order_closed');
    given(...catalog, ev.fenced('o1'), ev.suspended()).when(cmd.reserve('o1', [{ productId: 'mug', qty: 2 }])).thenRejects('order_closed');
    given(...catalog, ev.fenced('o1')).when(cmd.reserve('o2', [{ productId: 'mug', qty: 2 }])).then(ev.reserved('o2', [mugLine(2)], now));
  });

  it('never reserves again for an order whose reservation was given back', () => {
    const history = [...reservedO1, ev.released('o1', [mugLine(2), teaLine(3)])];
    given(...history).when(cmd.reserve('o1', [{ productId: 'mug', qty: 2 }, { productId: 'tea', qty: 3 }])).then();
  });

  it('keeps the price of the reservation when the catalog price changes later', () => {
    const state = given(...reservedO1, ev.updated('mug', { priceMinor: 5_000 })).state;
    expect(state.reservations['o1']?.items[0]).toEqual(mugLine(2));
  });
});

describe('ReleaseStock', () => {
  it('gives the reserved stock back once', () => {
    const state = stateOf(given(...reservedO1).when(cmd.release('o1')).then(ev.released('o1', [mugLine(2), teaLine(3)])));
    expect(state.products['mug']?.stock).toBe(5);
    expect(state.products['tea']?.stock).toBe(10);
    expect(state.reservations['o1']?.status).toBe('RELEASED');
    given(...reservedO1, ev.released('o1', [mugLine(2), teaLine(3)])).when(cmd.release('o1')).then();
  });

  it('fences an order with no reservation here: no stock moves, and a later reservation is refused', () => {
    const state = stateOf(given(...catalog).when(cmd.release('o9')).then(ev.fenced('o9')));
    expect(state.fencedOrders).toEqual({ o9: true });
    expect(state.reservations).toEqual({});
    expect(state.products['mug']?.stock).toBe(5);
    given(...catalog, ev.fenced('o9')).when(cmd.reserve('o9', [{ productId: 'mug', qty: 1 }])).thenRejects('order_closed', 'o9');
  });

  it('accepts a repeated fencing release with no new events', () => {
    given(...catalog, ev.fenced('o9')).when(cmd.release('o9')).then();
  });

  it('fences while suspended or unregistered too, because compensation must not fail', () => {
    given(...catalog, ev.suspended()).when(cmd.release('o9')).then(ev.fenced('o9'));
    given().when(cmd.release('o9')).then(ev.fenced('o9'));
  });

  it('fences ids that name Object.prototype members like any other', () => {
    for (const orderId of ['constructor', '__proto__', 'toString']) {
      const state = stateOf(given(...catalog).when(cmd.release(orderId)).then(ev.fenced(orderId)));
      expect(Object.keys(state.fencedOrders)).toEqual([orderId]);
    }
  });

  it('works while suspended and for a product deleted since, because compensation must not fail', () => {
    given(...reservedO1, ev.suspended(), ev.deleted('mug')).when(cmd.release('o1')).then(ev.released('o1', [mugLine(2), teaLine(3)]));
  });
});

describe('RecordOrderOutcome and OrderOutcomeRecorded (legacy: the seller’s stats are the orders read model’s)', () => {
  const outcomes = ['placed', 'shipped', 'completed', 'cancelled', 'disputed'] as const;

  it.each(outcomes)('accepts the %s outcome an order journaled before still sends, and records nothing', (outcome) => {
    given(...reservedO1).when(cmd.outcome('o1', outcome)).then();
    given(...reservedO1, ev.outcome('o1', outcome)).when(cmd.outcome('o1', outcome, now + 5)).then();
  });

  it('accepts it for an order that never reserved here, fenced or not, or before registration: the stat step must finish', () => {
    given(...catalog).when(cmd.outcome('o9', 'placed')).then();
    given(...catalog, ev.fenced('o9')).when(cmd.outcome('o9', 'placed')).then();
    given().when(cmd.outcome('o9', 'placed')).then();
  });

  it.each(outcomes)('evolves an old %s outcome to the same state, once or again', (outcome) => {
    const before = stateOf(reservedO1);
    expect(stateOf([...reservedO1, ev.outcome('o1', outcome)])).toEqual(before);
    expect(stateOf([...reservedO1, ev.outcome('o1', outcome), ev.outcome('o1', outcome, now + 1)])).toEqual(before);
    expect(stateOf([...reservedO1, ev.outcome('o9', outcome)])).toEqual(before);
  });

  it('replays an old journal, outcomes and all, to the state the same journal without them gives', () => {
    const old = [
      ...reservedO1,
      ev.outcome('o1', 'placed'),
      ev.reserved('o2', [mugLine(1)]),
      ev.outcome('o2', 'placed'),
      ev.outcome('o1', 'shipped', now + 7_200_000),
      ev.released('o2', [mugLine(1)]),
      ev.outcome('o2', 'cancelled'),
      ev.outcome('o1', 'completed'),
    ];
    const state = stateOf(old);
    expect(state).toEqual(stateOf(old.filter((event) => event.type !== 'OrderOutcomeRecorded')));
    expect(state).not.toHaveProperty('stats');
    expect(state).not.toHaveProperty('recordedOutcomes');
    expect(state.reservations['o1']).toEqual({ items: [mugLine(2), teaLine(3)], status: 'RESERVED' });
    // The seller goes on as any other: o2's stock is back, o1's is not.
    expect(state.products['mug']?.stock).toBe(3);
    given(...old).when(cmd.release('o1')).then(ev.released('o1', [mugLine(2), teaLine(3)]));
  });
});

describe('evolve', () => {
  it('folds a history into plain data that survives a JSON snapshot', () => {
    const state = [...reservedO1, ev.image('mug', 'k'), ev.fenced('o2')].reduce(evolve, initialState);
    expect(state.fencedOrders).toEqual({ o2: true });
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it.each<[string, SellerEvent[]]>([
    ['a reservation beyond the stock', [...catalog, ev.reserved('o1', [mugLine(6)])]],
    ['a second reservation for one order', [...reservedO1, ev.reserved('o1', [mugLine(1)])]],
    ['a release without a reservation', [...catalog, ev.released('o1', [mugLine(1)])]],
    ['a second release', [...reservedO1, ev.released('o1', [mugLine(2), teaLine(3)]), ev.released('o1', [mugLine(2), teaLine(3)])]],
    ['a reservation of an unknown product', [...catalog, ev.reserved('o1', [{ ...mugLine(1), productId: 'cup' }])]],
    ['a fence of a reserved order', [...reservedO1, ev.fenced('o1')]],
    ['a reservation of a fenced order', [...catalog, ev.fenced('o1'), ev.reserved('o1', [mugLine(1)])]],
    ['a second fence', [...catalog, ev.fenced('o1'), ev.fenced('o1')]],
    ['a second product with one id', [...catalog, ev.created('mug', tea)]],
    ['an update of a deleted product', [...catalog, ev.deleted('mug'), ev.updated('mug', { stock: 1 })]],
    ['negative stock by update', [...catalog, ev.updated('mug', { stock: -1 })]],
  ])('throws on %s, because only a bug produces such an event', (_name, history) => {
    expect(() => history.reduce(evolve, initialState)).toThrow(/seller invariant broken/);
  });
});
