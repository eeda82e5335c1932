/**
 * `POST /api/products` is idempotent by the client's commandId, over real HTTP against the real
 * gateway: a seller whose create timed out sends it again and gets the same product, never a
 * second one, also when the reply store lost the first answer (the seller actor's own command-id
 * idempotency then answers, gateway/routes/product-create.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthDto } from '../api-types.ts';
import { replayHeader } from '../idempotency.ts';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';

let harness: TestGateway;
let seller: AuthDto;

const lamp = { title: 'Desk lamp', description: 'Warm light', priceMinor: 2_500, stock: 4, category: 'home' };

beforeAll(async () => {
  harness = await startTestGateway();
  seller = await harness.register('idempotent-seller@example.test', 'SELLER');
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

function create(body: unknown) {
  return harness.call('POST', '/api/products', { token: seller.token, body });
}

/** The products the seller actor holds with this title: the source of truth, never stale. */
async function productsTitled(title: string): Promise<string[]> {
  const inspected = await harness.gateway.context.commands.sellers.inspect(seller.user.id);
  if (!inspected.ok) throw new Error(`inspect failed: ${inspected.code}`);
  return Object.values(inspected.state.products).filter((product) => product.title === title).map((product) => product.productId);
}

/** What a process that stopped between the create and the save of its reply leaves behind. */
async function forgetReply(commandId: string): Promise<void> {
  await harness.gateway.context.replies.flush();
  await harness.gateway.system.stores.db.query('DELETE FROM command_replies WHERE command_id = $1', [commandId]);
}

describe('POST /api/products is idempotent by commandId', () => {
  it('answers a retry with the same product and body (201, then the replayed 201) and creates one product', async () => {
    const body = { commandId: randomUUID(), ...lamp, title: 'Retried lamp' };
    const first = await create(body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ sellerId: seller.user.id, title: 'Retried lamp', priceMinor: 2_500, stock: 4 });
    expect(first.headers.get(replayHeader)).toBeNull();

    const retry = await create(body);
    expect(retry.status).toBe(201);
    expect(retry.headers.get(replayHeader)).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await productsTitled('Retried lamp')).toEqual([first.body.id]);
  });

  it('refuses the same commandId with another body: 409 conflicting_retry, and creates nothing', async () => {
    const commandId = randomUUID();
    expect((await create({ commandId, ...lamp, title: 'First lamp' })).status).toBe(201);
    const other = await create({ commandId, ...lamp, title: 'Other lamp', priceMinor: 9_900 });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('conflicting_retry');
    expect(await productsTitled('Other lamp')).toEqual([]);
  });

  it('creates the product once when the reply store lost the first answer, and still refuses another body', async () => {
    const body = { commandId: randomUUID(), ...lamp, title: 'Forgotten lamp' };
    const first = await create(body);
    expect(first.status).toBe(201);
    await forgetReply(body.commandId);

    const retry = await create(body);
    expect(retry.status).toBe(201);
    // Not a replay: the seller actor answered, with the product its first attempt created.
    expect(retry.headers.get(replayHeader)).toBeNull();
    expect(retry.body.id).toBe(first.body.id);
    expect(await productsTitled('Forgotten lamp')).toEqual([first.body.id]);

    await forgetReply(body.commandId);
    const other = await create({ ...body, title: 'Changed lamp' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('conflicting_retry');
    expect(await productsTitled('Changed lamp')).toEqual([]);
  });

  it('refuses a missing or malformed commandId with 400 invalid_request naming the field', async () => {
    for (const body of [lamp, { ...lamp, commandId: '' }, { ...lamp, commandId: 'has spaces' }, { ...lamp, commandId: 42 }, { ...lamp, commandId: 'x'.repeat(101) }]) {
      const refused = await create(body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('invalid_request');
      expect(refused.body.error.message).toMatch(/^commandId: /);
    }
    expect(await productsTitled(lamp.title)).toEqual([]);
  });

  it('creates two products for two commandIds with the same fields', async () => {
    const twin = { ...lamp, title: 'Twin lamp' };
    const left = await create({ commandId: randomUUID(), ...twin });
    const right = await create({ commandId: randomUUID(), ...twin });
    expect([left.status, right.status]).toEqual([201, 201]);
    expect(left.body.id).not.toBe(right.body.id);
    expect((await productsTitled('Twin lamp')).sort()).toEqual([left.body.id, right.body.id].sort());
  });

  it('keeps one seller’s commandId apart from another’s', async () => {
    const other = await harness.register('other-idempotent-seller@example.test', 'SELLER');
    const commandId = randomUUID();
    const mine = await create({ commandId, ...lamp, title: 'Shared-id lamp' });
    const theirs = await harness.call('POST', '/api/products', { token: other.token, body: { commandId, ...lamp, title: 'Shared-id lamp' } });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.sellerId).toBe(other.user.id);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });
});
