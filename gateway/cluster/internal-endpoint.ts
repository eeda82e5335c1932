/**
 * The internal endpoint of a cluster node (issue #16): the two routes other nodes forward
 * commands and reads to (runtime/cluster/forwarding.ts), on its own port (CLUSTER_PORT), never on
 * the public one. A forward runs a command as whoever sent it, so every request must carry the
 * cluster's shared secret; it is compared in constant time, and a request without it (401) or
 * with a wrong one (403) runs nothing.
 *
 * `POST /internal/forward` with `{ key, command, epochSeen, deadlineMs }`:
 * - this node serves the key: the command runs through the runtime's own ask (`askHere`, which
 *   never forwards again) and its CommandResult is the 200 answer, sent once durable;
 * - it does not, or it holds the key's shard under an older epoch than the sender saw (it is
 *   about to lose it): 421 with `{ owner: { node, address } | null }`, its own view of the owner.
 *
 * `POST /internal/read` with `{ key, read, epochSeen, deadlineMs }`, where `read` is
 * `{ kind: 'inspect' }` or `{ kind: 'wait', predicate }` (a name the key's actor kind registered):
 * the same 421s; else the runtime's own inspect, or its own wait with that predicate, answered
 * 200 once the state it shows is durable (a wait that runs out answers its `timeout` failure). A
 * predicate name the kind does not know is 400 `unknown_predicate`.
 *
 * Bad input is a 4xx with a stable code (`invalid_json`, `invalid_request`, `unknown_predicate`),
 * never a 500.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as v from 'valibot';
import type { Failure } from '../../runtime/ask.ts';
import type { CommandResult, Inspection } from '../../runtime/entity.ts';
import type { NotOwner } from '../../runtime/cluster/ownership.ts';
import type { Logger } from '../../runtime/logger.ts';
import { errorResponse, json, type ApiResponse } from '../http.ts';
import { startUwsServer, type DispatchRequest } from '../uws.ts';

export const forwardPath = '/internal/forward';
export const readPath = '/internal/read';
export const clusterSecretHeader = 'x-bazaary-cluster-secret';

/** Longest key accepted (keys are `<kind>:<id>`, ids far shorter). */
const keyMaxLength = 512;

/** Longest predicate name accepted (names are short words such as `settled`). */
const predicateNameMaxLength = 64;

const Key = v.pipe(v.string(), v.minLength(3), v.maxLength(keyMaxLength));
const EpochSeen = v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)));
const DeadlineMs = v.pipe(v.number(), v.integer(), v.minValue(1));

const ForwardBody = v.object({
  key: Key,
  command: v.pipe(v.unknown(), v.check((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'must be an object')),
  epochSeen: EpochSeen,
  deadlineMs: DeadlineMs,
});

const ReadBody = v.object({
  key: Key,
  read: v.variant('kind', [
    v.object({ kind: v.literal('inspect') }),
    v.object({ kind: v.literal('wait'), predicate: v.pipe(v.string(), v.minLength(1), v.maxLength(predicateNameMaxLength)) }),
  ]),
  epochSeen: EpochSeen,
  deadlineMs: DeadlineMs,
});

export interface InternalEndpointPorts {
  readonly secret: string;
  /** The longest a forwarded command or inspect may take here, whatever deadline it brings. */
  readonly maxDeadlineMs: number;
  /** The longest a forwarded wait may last here (a checkout waits longer than a command). */
  readonly maxWaitMs: number;
  askHere(key: string, command: unknown, timeoutMs: number): Promise<CommandResult<unknown, unknown>>;
  inspectHere(key: string, timeoutMs: number): Promise<Inspection<unknown> | Failure>;
  /** A wait with the predicate the key's kind registered as `name` (`unknown_predicate` if none). */
  waitHere(key: string, name: string, timeoutMs: number): Promise<Inspection<unknown> | Failure>;
  refusal(key: string): NotOwner | null;
  heldEpochOf(key: string): number | null;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant time in the secret's content: both sides are hashed to one length first. */
export function secretMatches(given: string, secret: string): boolean {
  return timingSafeEqual(digest(given), digest(secret));
}

function misdirected(owner: NotOwner['owner']): ApiResponse {
  return json(421, { owner });
}

/** The request's JSON body, or the 4xx that answers it instead. */
function parsedBody(request: DispatchRequest, ports: InternalEndpointPorts): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly response: ApiResponse } {
  const refuse = (response: ApiResponse) => ({ ok: false as const, response });
  const given = request.headers[clusterSecretHeader];
  if (given === undefined || given === '') return refuse(errorResponse(401, 'unauthenticated', 'a cluster forward must carry the cluster secret'));
  if (!secretMatches(given, ports.secret)) return refuse(errorResponse(403, 'forbidden', 'the cluster secret does not match'));
  if (request.method !== 'POST') return refuse(errorResponse(405, 'method_not_allowed', 'forwards are POSTed'));
  try {
    return { ok: true, value: JSON.parse(new TextDecoder().decode(request.body)) as unknown };
  } catch {
    return refuse(errorResponse(400, 'invalid_json', 'the body is not JSON'));
  }
}

/** The 421 for a key this node may not answer for now, or null when it serves it. */
function notServed(key: string, epochSeen: number | null, ports: InternalEndpointPorts): ApiResponse | null {
  const refused = ports.refusal(key);
  if (refused !== null) return misdirected(refused.owner);
  const held = ports.heldEpochOf(key);
  // The sender read a newer lease than the one held here: another node has claimed the shard,
  // and this node's next renewal will find it lost. Deciding here now would only be fenced.
  if (epochSeen !== null && held !== null && held < epochSeen) return misdirected(null);
  return null;
}

/** An answer of the runtime here: 421 if the shard moved while it waited in the mailbox (the
 *  sender asks the owner), else 200 with the result. */
function answered(result: CommandResult<unknown, unknown> | Inspection<unknown> | Failure): ApiResponse {
  if (!result.ok && result.code === 'not_owner') return misdirected((result as NotOwner).owner);
  return json(200, result);
}

/** Answers one request to the internal port; a plain function, testable without sockets. */
export async function handleInternal(request: DispatchRequest, ports: InternalEndpointPorts): Promise<ApiResponse> {
  if (request.path !== forwardPath && request.path !== readPath) return errorResponse(404, 'not_found', 'this port serves cluster forwards only');
  const parsed = parsedBody(request, ports);
  if (!parsed.ok) return parsed.response;
  if (request.path === forwardPath) {
    const body = v.safeParse(ForwardBody, parsed.value);
    if (!body.success) return errorResponse(400, 'invalid_request', body.issues.map((issue) => issue.message).join('; '));
    const { key, command, epochSeen, deadlineMs } = body.output;
    return notServed(key, epochSeen, ports) ?? answered(await ports.askHere(key, command, Math.min(deadlineMs, ports.maxDeadlineMs)));
  }
  const body = v.safeParse(ReadBody, parsed.value);
  if (!body.success) return errorResponse(400, 'invalid_request', body.issues.map((issue) => issue.message).join('; '));
  const { key, read, epochSeen, deadlineMs } = body.output;
  const refused = notServed(key, epochSeen, ports);
  if (refused !== null) return refused;
  if (read.kind === 'inspect') return answered(await ports.inspectHere(key, Math.min(deadlineMs, ports.maxDeadlineMs)));
  const result = await ports.waitHere(key, read.predicate, Math.min(deadlineMs, ports.maxWaitMs));
  if (!result.ok && result.code === 'unknown_predicate') return errorResponse(400, 'unknown_predicate', result.message);
  return answered(result);
}

export interface InternalEndpointOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  readonly ports: InternalEndpointPorts;
}

/** Starts the internal port; resolves once it listens. */
export function startInternalEndpoint(options: InternalEndpointOptions) {
  return startUwsServer({
    host: options.host,
    port: options.port,
    maxBodyBytes: options.maxBodyBytes,
    corsOrigins: [],
    logger: options.logger,
    bodyLimitFor: () => options.maxBodyBytes,
    dispatch: (request) => handleInternal(request, options.ports),
  });
}
