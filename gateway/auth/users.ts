/** The `users` table (005_users.sql). Emails are stored lower-case; the unique index decides races. */
import type { Db, Row } from '../../persistence/adapters/db.ts';
import type { UserRole } from '../api-types.ts';
import type { StoredUser, UserStore } from '../context.ts';

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
