/**
 * The HTTP side of forwarding (runtime/cluster/forwarding.ts, RemoteAsk): one POST to the owner's
 * internal endpoint (internal-endpoint.ts) with the cluster secret. Node's global fetch (undici)
 * keeps connections to each owner alive and reuses them, so a forward costs one round trip on a
 * warm connection. It never throws: anything but a 200 CommandResult or a 421 is `failed`.
 */
import * as v from 'valibot';
import type { ForwardRequest, RemoteAnswer, RemoteAsk } from '../../runtime/cluster/forwarding.ts';
import type { CommandResult } from '../../runtime/entity.ts';
import { clusterSecretHeader, forwardPath } from './internal-endpoint.ts';

const Owner = v.nullable(v.object({ node: v.string(), address: v.nullable(v.string()) }));
const Misdirected = v.object({ owner: Owner });
/** The owner's CommandResult: accepted (events, seq, state) or a failure with a code. */
const Result = v.union([
  v.looseObject({ ok: v.literal(true), seq: v.number(), events: v.array(v.unknown()), duplicate: v.boolean() }),
  v.looseObject({ ok: v.literal(false), code: v.string(), message: v.string() }),
]);

function reasonOf(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer before the deadline';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

export class HttpRemoteAsk implements RemoteAsk {
  constructor(private readonly secret: string) {}

  async ask(address: string, request: ForwardRequest, timeoutMs: number): Promise<RemoteAnswer> {
    try {
      const response = await fetch(new URL(forwardPath, address), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [clusterSecretHeader]: this.secret },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(Math.max(1, timeoutMs)),
      });
      const body: unknown = await response.json().catch(() => undefined);
      if (response.status === 421) {
        const parsed = v.safeParse(Misdirected, body);
        return { kind: 'misdirected', owner: parsed.success ? parsed.output.owner : null };
      }
      if (response.status !== 200) return { kind: 'failed', reason: `the owner answered HTTP ${response.status}` };
      const parsed = v.safeParse(Result, body);
      // The owner's decider types are this node's too: the shape checked is all that travels.
      if (parsed.success) return { kind: 'answered', result: parsed.output as CommandResult<unknown, unknown> };
      return { kind: 'failed', reason: 'the owner answered something that is not a command result' };
    } catch (error) {
      return { kind: 'failed', reason: reasonOf(error) };
    }
  }
}
