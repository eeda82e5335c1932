/**
 * The HTTP side of forwarding (runtime/cluster/forwarding.ts, RemoteAsk): one POST to the owner's
 * internal endpoint (internal-endpoint.ts) with the cluster secret, a command to `/internal/forward`
 * and a read to `/internal/read`. Node's global fetch (undici) keeps connections to each owner
 * alive and reuses them, so a forward costs one round trip on a warm connection. It never throws:
 * anything but a 200 result of the expected shape or a 421 is `failed`.
 */
import * as v from 'valibot';
import type { ForwardRequest, ReadRequest, ReadResult, RemoteAnswer, RemoteAsk } from '../../runtime/cluster/forwarding.ts';
import type { CommandResult } from '../../runtime/entity.ts';
import { clusterSecretHeader, forwardPath, readPath } from './internal-endpoint.ts';

const Owner = v.nullable(v.object({ node: v.string(), address: v.nullable(v.string()) }));
const Misdirected = v.object({ owner: Owner });
const Failed = v.looseObject({ ok: v.literal(false), code: v.string(), message: v.string() });
/** The owner's CommandResult: accepted (events, seq, state) or a failure with a code. */
const Result = v.union([v.looseObject({ ok: v.literal(true), seq: v.number(), events: v.array(v.unknown()), duplicate: v.boolean() }), Failed]);
/** The owner's read: an inspection (state, seq) or a failure with a code. */
const Read = v.union([v.object({ ok: v.literal(true), state: v.unknown(), seq: v.number() }), Failed]);

function reasonOf(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer before the deadline';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

export class HttpRemoteAsk implements RemoteAsk {
  constructor(private readonly secret: string) {}

  ask(address: string, request: ForwardRequest, timeoutMs: number): Promise<RemoteAnswer> {
    // The owner's decider types are this node's too: the shape checked is all that travels.
    return this.post(address, forwardPath, request, timeoutMs, (body) => {
      const parsed = v.safeParse(Result, body);
      return parsed.success ? (parsed.output as CommandResult<unknown, unknown>) : null;
    });
  }

  read(address: string, request: ReadRequest, timeoutMs: number): Promise<RemoteAnswer<ReadResult>> {
    return this.post(address, readPath, request, timeoutMs, (body) => {
      const parsed = v.safeParse(Read, body);
      return parsed.success ? (parsed.output as ReadResult) : null;
    });
  }

  private async post<Result>(address: string, path: string, request: ForwardRequest | ReadRequest, timeoutMs: number, parse: (body: unknown) => Result | null): Promise<RemoteAnswer<Result>> {
    try {
      const response = await fetch(new URL(path, address), {
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
      const result = parse(body);
      return result === null ? { kind: 'failed', reason: 'the owner answered something that is not a result of this request' } : { kind: 'answered', result };
    } catch (error) {
      return { kind: 'failed', reason: reasonOf(error) };
    }
  }
}
