/**
 * Operator routes (ADMIN only, DESIGN.md §5): live and passivated actors, an actor's current
 * state, its journal, its state as of a seq or a time (replayed from the journal with the
 * actor's own decider, so it is exactly what the actor would have held), and the ledger audit.
 */
import * as v from 'valibot';
import { kindOf } from '../../runtime/runtime.ts';
import type { ActorStateDto, ActorSummaryDto, JournalEntryDto } from '../api-types.ts';
import type { GatewayContext } from '../context.ts';
import { failureError } from '../errors.ts';
import type { ApiRequest, Route } from '../http.ts';
import { ApiError, ok } from '../http.ts';
import { maxInt32, pageQuery, parseParams, parseQuery, wholeNumberQuery } from '../validate.ts';
import { actorKindList, keyPrefix } from '../../actors/keys.ts';
import { gatewayLimits } from '../app/limits.ts';

const { maxEntriesPerRead, maxActorsListed } = gatewayLimits.routes;

const keySchema = v.pipe(v.string(), v.regex(/^(wallet|order|seller|checkout|analytics):[A-Za-z0-9_.:-]{1,200}$/, 'must be an actor key such as order:<id>'));
/** Journal seqs are an `integer` column; times are epoch ms in a `bigint` one. */
const seqNumber = wholeNumberQuery(maxInt32);
const epochMs = wholeNumberQuery(Number.MAX_SAFE_INTEGER);

function actorKey(request: ApiRequest): { kind: string; id: string; key: string } {
  const { key } = parseParams(request, v.object({ key: keySchema }));
  const kind = kindOf(key);
  return { kind, id: key.slice(kind.length + 1), key };
}

/**
 * Answers 404 for a key never used (no journal and not resident), so an operator's typo neither
 * reads as an empty actor nor spawns one.
 */
async function usedKey(request: ApiRequest, context: GatewayContext): Promise<{ kind: string; id: string; key: string }> {
  const parsed = actorKey(request);
  if (context.operator.deciderOf(parsed.kind) === undefined) throw new ApiError(404, 'unknown_actor_kind', `no actor kind ${parsed.kind}`);
  if (!(await context.operator.exists(parsed.key))) throw new ApiError(404, 'unknown_actor', `no actor ${parsed.key}`);
  return parsed;
}

async function stateAt(request: ApiRequest, context: GatewayContext): Promise<ActorStateDto> {
  const { kind, key } = await usedKey(request, context);
  const query = parseQuery(request, v.object({ atSeq: v.optional(seqNumber), atTime: v.optional(epochMs) }));
  const decider = context.operator.deciderOf(kind);
  if (decider === undefined) throw new ApiError(404, 'unknown_actor_kind', `no actor kind ${kind}`);
  const entries = await context.operator.journal(key, 0, maxEntriesPerRead + 1);
  if (entries.length > maxEntriesPerRead) throw new ApiError(422, 'stream_too_long', `replays stop at ${maxEntriesPerRead} entries`);
  const upTo = entries.filter((entry) => (query.atSeq === undefined || entry.seq <= query.atSeq) && (query.atTime === undefined || entry.at <= query.atTime));
  const state = upTo.reduce((current, entry) => entry.events.reduce(decider.evolve, current), decider.initialState);
  const last = upTo[upTo.length - 1];
  return { key, seq: last?.seq ?? 0, at: last?.at ?? null, state, pendingTimers: await context.operator.pendingTimers(key) };
}

export const adminRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/admin/actors',
    access: ['ADMIN'],
    tag: 'operators',
    summary: 'Actors: resident ones with mailbox depth and idle time, plus passivated ones of a kind (?kind=order).',
    handler: async (request, context) => {
      const query = parseQuery(request, v.object({ kind: v.optional(v.picklist(actorKindList)) }));
      const resident = new Map(context.operator.residents().map((info) => [info.key, info]));
      const keys = query.kind === undefined ? [...resident.keys()] : await context.operator.keysOfKind(query.kind);
      const timers = await context.operator.pendingTimerCounts();
      const actors: ActorSummaryDto[] = keys.slice(0, maxActorsListed).map((key) => {
        const info = resident.get(key);
        return {
          key,
          kind: kindOf(key),
          resident: info !== undefined,
          mailboxDepth: info?.mailboxDepth ?? 0,
          lastSeq: info?.lastSeq ?? 0,
          pendingTimers: timers.get(key) ?? 0,
          idleMs: info?.idleMs ?? null,
        };
      });
      return ok({ items: actors, total: keys.length });
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/actors/:key',
    access: ['ADMIN'],
    tag: 'operators',
    summary: "An actor's current state (it is rehydrated if passivated); 404 for a key never used.",
    handler: async (request, context) => {
      const { key } = await usedKey(request, context);
      const inspected = await context.operator.inspect(key);
      if (!inspected.ok) throw failureError(inspected);
      const dto: ActorStateDto = { key, seq: inspected.seq, at: null, state: inspected.state, pendingTimers: await context.operator.pendingTimers(key) };
      return ok(dto);
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/actors/:key/journal',
    access: ['ADMIN'],
    tag: 'operators',
    summary: "An actor's journal entries after ?afterSeq, oldest first.",
    handler: async (request, context) => {
      const { key } = await usedKey(request, context);
      const query = parseQuery(request, v.object({ afterSeq: v.optional(seqNumber, '0'), limit: v.optional(v.pipe(seqNumber, v.minValue(1), v.maxValue(1_000)), '200') }));
      const entries = await context.operator.journal(key, query.afterSeq, query.limit);
      const items: JournalEntryDto[] = entries.map((entry) => ({ key: entry.key, seq: entry.seq, commandId: entry.commandId, at: entry.at, events: entry.events }));
      return ok({ items, lastSeq: await context.operator.lastSeq(key) });
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/actors/:key/state',
    access: ['ADMIN'],
    tag: 'operators',
    summary: "An actor's state as of ?atSeq= or ?atTime= (epoch ms), replayed from its journal.",
    handler: async (request, context) => ok(await stateAt(request, context)),
  },
  {
    method: 'GET',
    pattern: '/api/admin/ledger/audit',
    access: ['ADMIN'],
    tag: 'operators',
    summary: 'The ledger audit over the journal: totals, money in flight, and every anomaly.',
    handler: async (_request, context) => ok(await context.operator.audit()),
  },
  {
    method: 'GET',
    pattern: '/api/admin/mail',
    access: ['ADMIN'],
    tag: 'operators',
    summary: 'The mail outbox, newest first (?status=pending|sending|sent|failed, paged): what was sent, what waits, what failed and why.',
    handler: async (request, context) => {
      const query = parseQuery(request, v.object({ status: v.optional(v.picklist(['pending', 'sending', 'sent', 'failed'], 'must be pending, sending, sent or failed')), ...pageQuery }));
      return ok(await context.mailOutbox.list(query));
    },
  },
];
