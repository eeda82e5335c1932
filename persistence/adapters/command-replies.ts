/**
 * The `command_replies` table (014_command_replies.sql): the first answer to each client
 * command id, kept so a retry gets that answer again (status and body) instead of today's state.
 * A plain store: replies are facts of the edge, not of the journal.
 *
 * Saves are written behind the answer (issue #13, load-live): a reply is held in memory at once,
 * so a retry to this process finds it straight away, and every reply saved meanwhile is written in
 * one statement right after, instead of one INSERT on every command's critical path. A process
 * that dies before the write loses only the replay marker: the retry runs again, and the actors'
 * own command-id idempotency gives it the first effect (gateway/idempotency.ts).
 *
 * Looking a new command id up costs a query on the command's critical path, and nearly every id
 * is new. A process that is the table's only writer (the embedded mode) can pass a filter of the
 * ids stored (runtime/known-keys.ts, filled from `storedKeys`): an id it has never seen was
 * certainly never stored, so `find` answers null with no query. Every save adds its id before the
 * reply is held, so the filter never misses an id this process stored.
 */
import type { Db } from './db.ts';

export interface StoredReply {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: unknown;
}

/** A filter of stored ids that never answers "absent" for an id it was given (a Bloom filter). */
export interface StoredIdFilter {
  mayHold(key: string): boolean;
  add(key: string): void;
}

export interface ReplyStore {
  find(scope: string, commandId: string): Promise<StoredReply | null>;
  /** Keeps the first reply; a second save of the same (scope, commandId) changes nothing. The
   *  reply is found at once; the promise settles when it is written. */
  save(scope: string, commandId: string, reply: StoredReply, at: number): Promise<void>;
  /** Resolves once every reply saved so far is written (or its write failed). */
  flush(): Promise<void>;
}

interface Pending {
  readonly scope: string;
  readonly commandId: string;
  readonly reply: StoredReply;
  readonly at: number;
  readonly written: Promise<void>;
}

const insertRepliesSql = `
  INSERT INTO command_replies (scope, command_id, fingerprint, status, body, created_at)
  SELECT r.scope, r.command_id, r.fingerprint, r.status, r.body, r.created_at
  FROM jsonb_to_recordset($1::jsonb) AS r(scope text, command_id text, fingerprint text, status integer, body jsonb, created_at bigint)
  ON CONFLICT (scope, command_id) DO NOTHING`;

export class SqlReplyStore implements ReplyStore {
  /** Replies saved and not yet written, by `scope\u0000commandId`; the next write takes them all. */
  private queued = new Map<string, Pending>();
  /** The write in progress, whose replies are still found here until it has committed. */
  private writing: { readonly replies: Map<string, Pending>; readonly done: Promise<void> } | null = null;
  private settleQueued: { resolve: () => void; reject: (error: unknown) => void } | null = null;
  private queuedWritten: Promise<void> | null = null;
  private delayedWrite: NodeJS.Timeout | null = null;

  /**
   * `writeDelayMs`: how long a reply waits to be written with the ones saved after it. Nothing
   * waits on the write (the reply is held here meanwhile), and one INSERT per command was 5% of
   * the embedded database's time in the live benchmark; 0 writes on the next turn.
   */
  constructor(
    private readonly db: Db,
    private readonly stored?: StoredIdFilter,
    private readonly writeDelayMs = 0,
  ) {}

  /** Every stored (scope, commandId), as the keys the filter takes. */
  async storedKeys(): Promise<string[]> {
    const rows = await this.db.query<{ scope: string; command_id: string }>('SELECT scope, command_id FROM command_replies');
    return rows.map((row) => keyOf(row.scope, row.command_id));
  }

  async find(scope: string, commandId: string): Promise<StoredReply | null> {
    const key = keyOf(scope, commandId);
    const held = this.queued.get(key) ?? this.writing?.replies.get(key);
    if (held !== undefined) return held.reply;
    if (this.stored !== undefined && !this.stored.mayHold(key)) return null;
    const rows = await this.db.query('SELECT fingerprint, status, body FROM command_replies WHERE scope = $1 AND command_id = $2', [scope, commandId]);
    const row = rows[0];
    if (row === undefined) return null;
    const body: unknown = typeof row['body'] === 'string' ? JSON.parse(row['body']) : row['body'];
    return { fingerprint: String(row['fingerprint']), status: Number(row['status']), body };
  }

  save(scope: string, commandId: string, reply: StoredReply, at: number): Promise<void> {
    const key = keyOf(scope, commandId);
    const held = this.queued.get(key) ?? this.writing?.replies.get(key);
    if (held !== undefined) return held.written;
    this.stored?.add(key);
    const written = this.nextWrite();
    this.queued.set(key, { scope, commandId, reply, at, written });
    return written;
  }

  async flush(): Promise<void> {
    if (this.delayedWrite !== null) {
      // Waiting out the delay is for company, not for correctness: a stop writes at once.
      clearTimeout(this.delayedWrite);
      this.delayedWrite = null;
      void this.write();
    }
    await Promise.allSettled([this.writing?.done, this.queuedWritten]);
  }

  /** The promise of the write that will take the replies queued now; starts one when none is due. */
  private nextWrite(): Promise<void> {
    if (this.queuedWritten !== null) return this.queuedWritten;
    this.queuedWritten = new Promise<void>((resolve, reject) => {
      this.settleQueued = { resolve, reject };
    });
    // A failed write is also reported to each save's caller; this keeps it from going unhandled.
    this.queuedWritten.catch(() => {});
    if (this.writing === null) this.writeSoon();
    return this.queuedWritten;
  }

  private writeSoon(): void {
    if (this.writeDelayMs === 0) {
      setImmediate(() => void this.write());
      return;
    }
    this.delayedWrite = setTimeout(() => {
      this.delayedWrite = null;
      void this.write();
    }, this.writeDelayMs);
    this.delayedWrite.unref();
  }

  private async write(): Promise<void> {
    const replies = this.queued;
    const settle = this.settleQueued;
    this.queued = new Map();
    this.queuedWritten = null;
    this.settleQueued = null;
    if (settle === null) return;
    const rows = [...replies.values()].map(({ scope, commandId, reply, at }) => ({
      scope,
      command_id: commandId,
      fingerprint: reply.fingerprint,
      status: reply.status,
      body: reply.body,
      created_at: at,
    }));
    const done = this.db.query(insertRepliesSql, [JSON.stringify(rows)]).then(() => undefined);
    this.writing = { replies, done };
    try {
      await done;
      settle.resolve();
    } catch (error) {
      settle.reject(error);
    } finally {
      this.writing = null;
      if (this.queuedWritten !== null) this.writeSoon();
    }
  }
}

function keyOf(scope: string, commandId: string): string {
  return `${scope}\u0000${commandId}`;
}
