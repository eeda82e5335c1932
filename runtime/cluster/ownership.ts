/**
 * What the runtime asks of a cluster node (issue #16): may this process serve a key now, and
 * under which fence are its batches written. Single-node modes have no ownership at all: the
 * runtime then serves every key and commits without a fence, exactly as before.
 */
import type { ShardFence } from '../../persistence/adapters/journal.ts';
import type { Failure } from '../ask.ts';

/** The node that leases a key's shard, as the lease table names it. */
export interface ShardOwner {
  readonly node: string;
  readonly address: string | null;
}

/** The runtime's answer for a key this node does not serve; safe to retry (with the same
 *  command id) at `owner`, or here later. `owner` is null when no live lease names one. */
export interface NotOwner extends Failure {
  readonly code: 'not_owner';
  readonly owner: ShardOwner | null;
}

export interface ShardOwnership {
  /** Null when this node serves `key` now (it leases the key's shard and its serving deadline
   *  has not passed), else the refusal to answer with. */
  refusal(key: string): NotOwner | null;
  /** The fence of the next journal batch: the shards this node leases and their epochs. */
  fence(): ShardFence | undefined;
}

export function notOwner(key: string, owner: ShardOwner | null): NotOwner {
  const where = owner === null ? 'no node serves it right now' : `node ${owner.node} serves it`;
  return { ok: false, code: 'not_owner', message: `this node does not serve ${key}: ${where}; retry the command with the same id`, owner };
}

export function isNotOwner(result: { readonly ok: boolean; readonly code?: string }): result is NotOwner {
  return !result.ok && result.code === 'not_owner' && 'owner' in result;
}

/** What a cluster node needs of the runtime that serves its shards. */
export interface ShardHost {
  /** Resolves once everything handed to the commit log so far is durable or lost. */
  flush(): Promise<void>;
  /** Stops the resident actors of these shards, answering their waiting callers with `reason`. */
  dropShards(shards: ReadonlySet<number>, shardCount: number, reason: Failure): number;
}
