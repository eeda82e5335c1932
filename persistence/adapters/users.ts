/**
 * The `users` table (005_users.sql): a plain store, not a projection (users are not journaled).
 * Emails are stored lower-case; the unique index decides races between two registrations.
 */
import type { Db, Row } from './db.ts';

export type UserRole = 'BUYER' | 'SELLER' | 'ADMIN';

export interface StoredUser {
  readonly id: string;
  readonly email: string;
  readonly role: UserRole;
  readonly displayName: string;
  readonly createdAt: number;
  readonly passwordHash: string;
}

/** Users and their password hashes. Emails are stored lower-case and unique. */
export interface UserStore {
  /** Null when the email is taken. */
  create(user: StoredUser): Promise<StoredUser | null>;
  findByEmail(email: string): Promise<StoredUser | null>;
  findById(id: string): Promise<StoredUser | null>;
}

function toUser(row: Row): StoredUser {
  return {
    id: String(row['id']),
    email: String(row['email']),
    role: row['role'] as UserRole,
    displayName: String(row['display_name']),
    passwordHash: String(row['password_hash']),
    createdAt: Number(row['created_at']),
  };
}

export class SqlUserStore implements UserStore {
  constructor(private readonly db: Db) {}

  async create(user: StoredUser): Promise<StoredUser | null> {
    const rows = await this.db.query(
      `INSERT INTO users (id, email, password_hash, role, display_name, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING RETURNING *`,
      [user.id, user.email.toLowerCase(), user.passwordHash, user.role, user.displayName, user.createdAt],
    );
    const row = rows[0];
    return row === undefined ? null : toUser(row);
  }

  async findByEmail(email: string): Promise<StoredUser | null> {
    const rows = await this.db.query('SELECT * FROM users WHERE email = $1', [email.toLowerCase()]);
    return rows[0] === undefined ? null : toUser(rows[0]);
  }

  async findById(id: string): Promise<StoredUser | null> {
    const rows = await this.db.query('SELECT * FROM users WHERE id = $1', [id]);
    return rows[0] === undefined ? null : toUser(rows[0]);
  }
}
