/**
 * The internal endpoint of a cluster node (issue #16): the one route other nodes forward
 * commands to (runtime/cluster/forwarding.ts), on its own port (CLUSTER_PORT), never on the
 * public one. A forward runs a command as whoever sent it, so every request must carry the
 * cluster's shared secret; it is compared in constant time, and a request without it (401) or
 * with a wrong one (403) runs nothing.
 *
 * `POST /internal/forward` with `{ key, command, epochSeen, deadlineMs }`:
 * - this node serves the key: the command runs through the runtime's own ask (`askHere`, which
 *   never forwards again) and its CommandResult is the 200 answer, sent once durable;
 * - it does not, or it holds the key's shard under an older epoch than the sender saw (it is
 *   about to lose it): 421 with `{ owner: { node, address } | null }`, its own view of the owner.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as v from 'valibot';
import type { CommandResult } from '../../runtime/entity.ts';
import type { NotOwner } from '../../runtime/cluster/ownership.ts';
import type { Logger } from '../../runtime/logger.ts';
import { errorResponse, json, type ApiResponse } from '../http.ts';
import { startUwsServer, type DispatchRequest } from '../uws.ts';

export const forwardPath = '/internal/forward';
export const clusterSecretHeader = 'x-bazaary-cluster-secret';

/** Longest key accepted (keys are `<kind>:<id>`, ids far shorter). */
const keyMaxLength = 512;

const ForwardBody = v.object({
  key: v.pipe(v.string(), v.minLength(3), v.maxLength(keyMaxLength)),
  command: v.pipe(v.unknown(), v.check((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'must be an object')),
  epochSeen: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))),
  deadlineMs: v.pipe(v.number(), v.integer(), v.minValue(1)),
});

export interface InternalEndpointPorts {
  readonly secret: string;
  /** The longest a forwarded command may take here, whatever deadline it brings. */
  readonly maxDeadlineMs: number;
  askHere(key: string, command: unknown, timeoutMs: number): Promise<CommandResult<unknown, unknown>>;
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

/** Answers one request to the internal port; a plain function, testable without sockets. */
export async function handleInternal(request: DispatchRequest, ports: InternalEndpointPorts): Promise<ApiResponse> {
  if (request.path !== forwardPath) return errorResponse(404, 'not_found', 'this port serves cluster forwards only');
  const given = request.headers[clusterSecretHeader];
  if (given === undefined || given === '') return errorResponse(401, 'unauthenticated', 'a cluster forward must carry the cluster secret');
  if (!secretMatches(given, ports.secret)) return errorResponse(403, 'forbidden', 'the cluster secret does not match');
  if (request.method !== 'POST') return errorResponse(405, 'method_not_allowed', 'forwards are POSTed');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(request.body));
  } catch {
    return errorResponse(400, 'invalid_json', 'the body is not JSON');
  }
  const body = v.safeParse(ForwardBody, parsed);
  if (!body.success) return errorResponse(400, 'invalid_request', body.issues.map((issue) => issue.message).join('; '));
  const { key, command, epochSeen, deadlineMs } = body.output;
  const refused = ports.refusal(key);
  if (refused !== null) return misdirected(refused.owner);
  const held = ports.heldEpochOf(key);
  // The sender read a newer lease than the one held here: another node has claimed the shard,
  // and this node's next renewal will find it lost. Deciding here now would only be fenced.
  if (epochSeen !== null && held !== null && held < epochSeen) return misdirected(null);
  const result = await ports.askHere(key, command, Math.min(deadlineMs, ports.maxDeadlineMs));
  // The shard may have moved while the command waited in the mailbox; the sender asks the owner.
  if (!result.ok && result.code === 'not_owner') return misdirected((result as NotOwner).owner);
  return json(200, result);
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
