/**
 * The `addresses` table (017_addresses.sql): each shopper's address book, a plain store like
 * users.ts (not journaled; an order's own events record where it goes). At most one address per
 * user is the default: the first one added, or the one last chosen; deleting the default makes
 * the newest remaining address the default, so a non-empty book always has one.
 */
import type { ShipToAddress } from '../../actors/order/ship-to.ts';
import type { Db, Row } from './db.ts';
import { textOrNull } from './row-values.ts';

export interface StoredAddress extends ShipToAddress {
  readonly id: string;
  readonly isDefault: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface AddressStore {
  /** The user's addresses, the default first, then oldest first. */
  list(userId: string): Promise<StoredAddress[]>;
  find(userId: string, id: string): Promise<StoredAddress | null>;
  /** Null when the user already has `maxPerUser` addresses. */
  add(userId: string, id: string, address: ShipToAddress, makeDefault: boolean, at: number): Promise<StoredAddress | null>;
  /** Null when the user has no such address. `makeDefault` false leaves the default where it is. */
  update(userId: string, id: string, address: ShipToAddress, makeDefault: boolean, at: number): Promise<StoredAddress | null>;
  /** False when the user has no such address. */
  remove(userId: string, id: string): Promise<boolean>;
}

function toAddress(row: Row): StoredAddress {
  return {
    id: String(row['id']),
    name: String(row['name']),
    line1: String(row['line1']),
    line2: textOrNull(row['line2']),
    city: String(row['city']),
    postalCode: String(row['postal_code']),
    countryCode: String(row['country_code']),
    isDefault: row['is_default'] === true,
    createdAt: Number(row['created_at']),
    updatedAt: Number(row['updated_at']),
  };
}

const order = 'ORDER BY is_default DESC, created_at, id';

export class SqlAddressStore implements AddressStore {
  constructor(
    private readonly db: Db,
    /** Bounds one user's book (and so the checkout's address list); STYLE.md: a limit on everything. */
    private readonly maxPerUser: number,
  ) {}

  async list(userId: string): Promise<StoredAddress[]> {
    return (await this.db.query(`SELECT * FROM addresses WHERE user_id = $1 ${order}`, [userId])).map(toAddress);
  }

  async find(userId: string, id: string): Promise<StoredAddress | null> {
    const rows = await this.db.query('SELECT * FROM addresses WHERE user_id = $1 AND id = $2', [userId, id]);
    return rows[0] === undefined ? null : toAddress(rows[0]);
  }

  add(userId: string, id: string, address: ShipToAddress, makeDefault: boolean, at: number): Promise<StoredAddress | null> {
    return this.db.transaction(async (tx) => {
      const counted = await tx.query('SELECT count(*) AS total, count(*) FILTER (WHERE is_default) AS defaults FROM addresses WHERE user_id = $1', [userId]);
      if (Number(counted[0]?.['total'] ?? 0) >= this.maxPerUser) return null;
      const isDefault = makeDefault || Number(counted[0]?.['defaults'] ?? 0) === 0;
      if (isDefault) await tx.query('UPDATE addresses SET is_default = false WHERE user_id = $1 AND is_default', [userId]);
      const rows = await tx.query(
        `INSERT INTO addresses (id, user_id, name, line1, line2, city, postal_code, country_code, is_default, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING *`,
        [id, userId, address.name, address.line1, address.line2, address.city, address.postalCode, address.countryCode, isDefault, at],
      );
      return rows[0] === undefined ? null : toAddress(rows[0]);
    });
  }

  update(userId: string, id: string, address: ShipToAddress, makeDefault: boolean, at: number): Promise<StoredAddress | null> {
    return this.db.transaction(async (tx) => {
      const exists = await tx.query('SELECT 1 FROM addresses WHERE user_id = $1 AND id = $2 FOR UPDATE', [userId, id]);
      if (exists.length === 0) return null;
      if (makeDefault) await tx.query('UPDATE addresses SET is_default = false WHERE user_id = $1 AND is_default AND id <> $2', [userId, id]);
      const rows = await tx.query(
        `UPDATE addresses SET name = $3, line1 = $4, line2 = $5, city = $6, postal_code = $7, country_code = $8,
           is_default = is_default OR $9, updated_at = $10
         WHERE user_id = $1 AND id = $2 RETURNING *`,
        [userId, id, address.name, address.line1, address.line2, address.city, address.postalCode, address.countryCode, makeDefault, at],
      );
      return rows[0] === undefined ? null : toAddress(rows[0]);
    });
  }

  remove(userId: string, id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const removed = await tx.query('DELETE FROM addresses WHERE user_id = $1 AND id = $2 RETURNING is_default', [userId, id]);
      if (removed.length === 0) return false;
      if (removed[0]?.['is_default'] === true) {
        await tx.query(
          `UPDATE addresses SET is_default = true WHERE id = (SELECT id FROM addresses WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1)`,
          [userId],
        );
      }
      return true;
    });
  }
}
