/**
 * The operator's finder (ADMIN only): an actor by what people quote. A customer reads out the
 * order number on their receipt ("3F2A91C0"), support has a user's email, a seller names a
 * product. Every lookup reads the read models and the journal's key list, never an actor, so a
 * search wakes nothing. The operator's finder route (gateway/routes/admin-search.ts) serves it.
 */
import { orderNumber } from '../../../actors/order/order-number.ts';
import type { Db } from '../../adapters/db.ts';
import { distinctIds } from '../../adapters/id-list.ts';
import type { ActorMatchDto } from '../views.ts';
import { idOfKey, orderKey, sellerKey, walletKey } from '../../../actors/keys.ts';

/** Matches one search returns, per source. */
const maxMatchesPerSource = 20;
/**
 * Orders scanned for an order number. The number is a hash of the id (actors/order/order-number.ts)
 * with no index behind it, so the scan is bounded; a shop past this size needs a stored column.
 */
const maxOrdersScanned = 200_000;
const orderScanPage = 5_000;

const actorKeyPattern = /^(wallet|order|seller|checkout|analytics):[A-Za-z0-9_.:-]{1,200}$/;
const orderNumberPattern = /^#?([0-9a-f]{8})$/i;


/** `LIKE` treats % and _ as wildcards; the operator's text is data. */
function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** Each id probed by key (id-list.ts): a plan cached while `users` was small stays right as it grows. */
async function displayNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.query(
    `SELECT u.id, u.display_name, u.email FROM ${distinctIds()}
     CROSS JOIN LATERAL (SELECT id, display_name, email FROM users WHERE users.id = k.id OFFSET 0) u`,
    [unique],
  );
  return new Map(rows.map((row) => [String(row['id']), `${String(row['display_name'])} <${String(row['email'])}>`]));
}

/** The orders of `ids`, newest first, and their people; each order probed by key, as `displayNames`. */
export async function ordersByIds(db: Db, ids: readonly string[], matchedBy: 'order number' | 'order id'): Promise<ActorMatchDto[]> {
  if (ids.length === 0) return [];
  const rows = await db.query(
    `SELECT o.id, o.status, o.buyer_id, o.seller_id FROM ${distinctIds()}
     CROSS JOIN LATERAL (SELECT id, status, buyer_id, seller_id, placed_at FROM orders WHERE orders.id = k.id OFFSET 0) o
     ORDER BY o.placed_at DESC`,
    [ids],
  );
  const names = await displayNames(db, rows.flatMap((row) => [String(row['buyer_id']), String(row['seller_id'])]));
  return rows.map((row) => {
    const id = String(row['id']);
    const buyerId = String(row['buyer_id']);
    const sellerId = String(row['seller_id']);
    return { key: orderKey(id), kind: 'order', matchedBy, label: `Order #${orderNumber(id)}`, status: String(row['status']), buyer: names.get(buyerId) ?? buyerId, seller: names.get(sellerId) ?? sellerId };
  });
}

async function byOrderNumber(db: Db, text: string): Promise<ActorMatchDto[]> {
  const wanted = orderNumberPattern.exec(text)?.[1]?.toUpperCase();
  if (wanted === undefined) return [];
  const found: string[] = [];
  for (let offset = 0; offset < maxOrdersScanned && found.length < maxMatchesPerSource; offset += orderScanPage) {
    const rows = await db.query('SELECT id FROM orders ORDER BY id LIMIT $1 OFFSET $2', [orderScanPage, offset]);
    for (const row of rows) if (orderNumber(String(row['id'])) === wanted) found.push(String(row['id']));
    if (rows.length < orderScanPage) break;
  }
  return ordersByIds(db, found, 'order number');
}

async function byOrderId(db: Db, text: string): Promise<ActorMatchDto[]> {
  const rows = await db.query("SELECT id FROM orders WHERE id LIKE $1 ESCAPE '\\' ORDER BY id LIMIT $2", [`${likeEscaped(text)}%`, maxMatchesPerSource]);
  return ordersByIds(db, rows.map((row) => String(row['id'])), 'order id');
}

async function byEmail(db: Db, text: string): Promise<ActorMatchDto[]> {
  if (!text.includes('@') && text.length < 3) return [];
  const rows = await db.query("SELECT id, email, role, display_name FROM users WHERE email LIKE $1 ESCAPE '\\' ORDER BY email LIMIT $2", [
    `%${likeEscaped(text.toLowerCase())}%`,
    maxMatchesPerSource,
  ]);
  return rows.flatMap((row): ActorMatchDto[] => {
    const id = String(row['id']);
    const person = `${String(row['display_name'])} <${String(row['email'])}>`;
    const role = String(row['role']);
    const wallet: ActorMatchDto = { key: walletKey(id), kind: 'wallet', matchedBy: 'email', label: String(row['email']), status: role, buyer: role === 'BUYER' ? person : null, seller: role === 'SELLER' ? person : null };
    if (role !== 'SELLER') return [wallet];
    return [{ ...wallet, key: sellerKey(id), kind: 'seller' }, wallet];
  });
}

async function byProductTitle(db: Db, text: string): Promise<ActorMatchDto[]> {
  if (text.length < 3) return [];
  const rows = await db.query(
    "SELECT seller_id, product_id, title, stock, deleted FROM products WHERE lower(title) LIKE $1 ESCAPE '\\' ORDER BY deleted, title, product_id LIMIT $2",
    [`%${likeEscaped(text.toLowerCase())}%`, maxMatchesPerSource],
  );
  const names = await displayNames(db, rows.map((row) => String(row['seller_id'])));
  return rows.map((row) => {
    const sellerId = String(row['seller_id']);
    const status = row['deleted'] === true ? 'deleted' : `listed, ${Number(row['stock'])} in stock`;
    return { key: sellerKey(sellerId), kind: 'seller', matchedBy: 'product title', label: `${String(row['title'])} (${String(row['product_id'])})`, status, buyer: null, seller: names.get(sellerId) ?? sellerId };
  });
}

async function byActorKey(db: Db, lastSeq: (key: string) => Promise<number>, text: string): Promise<ActorMatchDto[]> {
  if (!actorKeyPattern.test(text)) return [];
  // The journal's last seq answers "does this actor exist" without waking it.
  if ((await lastSeq(text)) === 0) return [];
  const kind = text.slice(0, text.indexOf(':'));
  if (kind === 'order') return ordersByIds(db, [idOfKey('order', text)], 'order id').then((found) => found.map((match) => ({ ...match, matchedBy: 'actor key' })));
  return [{ key: text, kind, matchedBy: 'actor key', label: text, status: null, buyer: null, seller: null }];
}

export async function findActors(db: Db, lastSeq: (key: string) => Promise<number>, text: string): Promise<ActorMatchDto[]> {
  const sources = await Promise.all([
    byActorKey(db, lastSeq, text),
    byOrderNumber(db, text),
    byOrderId(db, text),
    byEmail(db, text),
    byProductTitle(db, text),
  ]);
  const seen = new Set<string>();
  return sources.flat().filter((match) => {
    const identity = `${match.key}|${match.label}`;
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
}

