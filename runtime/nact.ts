/**
 * The only module that touches nact (DESIGN.md §7). nact 7.6.2 has loose typings and a few
 * measured defects, so it is loaded as the CommonJS module it is and exposed through a handful
 * of typed functions. What we deliberately do NOT use, and why:
 * - `query`: its temporary-reference ids are truncated to 32 bits and collide under load, so a
 *   caller can receive another caller's reply. We ask with a reply callback instead (ask.ts).
 * - `spawnPersistent` / `snapshotEvery`: one event per message, no concurrency guard, no
 *   idempotency, a snapshot one message late after recovery, and duplicated events when a
 *   handler persists during recovery. Our entity (entity.ts) loads and journals itself.
 * - `shutdownAfter`: a message dispatched after nact's idle timer stopped the actor, but before
 *   its `afterStop` ran, is dropped silently. Shards passivate idle actors themselves.
 * - `spawnStateless`: it ignores `onCrash` and swallows errors.
 * - named imports of its time constants and `configureLogging`: they fail at runtime under ESM.
 * And one behaviour we replace: nact runs every message in its own `setImmediate`, so a message to
 * an idle actor waited for the next turn of the event loop. A checkout is a chain of about twenty
 * messages across actors, so it spent about nine turns (4–6 ms of its 8–10 ms p50 on PostgreSQL
 * at ×8) waiting in line behind every other client's work, and its entries were spread over as
 * many journal batches. `runInMicrotasks` runs a message in a microtask instead, until
 * `dispatchBurstMax` messages ran in one turn; then it waits for the next turn, as nact did, so
 * I/O and timers are never starved. One message at a time per actor still holds: nact marks the
 * actor busy before it schedules the run, exactly as before.
 */
import { createRequire } from 'node:module';
import { limits } from './limits.ts';

const require = createRequire(import.meta.url);

/** An opaque handle to a nact actor that accepts messages of type Msg. */
export interface ActorRef<Msg> {
  readonly __messageType?: (message: Msg) => void;
}
export type SystemRef = ActorRef<never>;

export type CrashDecision = 'reset' | 'stop' | 'resume';

export interface ActorBehaviour<State, Msg> {
  readonly initialState: State;
  handle(state: State, message: Msg): Promise<State>;
  /** Decides what happens after `handle` threw. `pending` holds the messages still queued. */
  onCrash(message: Msg | undefined, error: unknown, pending: readonly Msg[]): Promise<CrashDecision>;
  /** Called when a crash policy itself failed; it must not throw either. */
  onPolicyFailure(error: unknown): void;
}

interface NactSupervisionContext {
  readonly stop: symbol;
  readonly reset: symbol;
  readonly resume: symbol;
  readonly mailbox: ReadonlyArray<{ message: unknown }>;
}

/** nact's own references are plain objects; only this module ever looks at them. */
type NactRef = object;

interface NactModule {
  start(options: { readonly name: string }): SystemRef;
  spawn(
    parent: NactRef,
    handler: (state: unknown, message: unknown) => Promise<unknown>,
    name: string,
    properties: {
      initialState: unknown;
      onCrash: (message: unknown, error: unknown, ctx: NactSupervisionContext) => Promise<symbol>;
    },
  ): NactRef;
  dispatch(actor: NactRef, message: unknown): void;
  stop(actor: NactRef): void;
}

const nact = require('nact') as NactModule;
const systemMap = require('nact/lib/system-map.js') as { find(systemName: string, ref: NactRef): NactActor | undefined };

function systemNameOf(ref: NactRef): string {
  return (ref as { readonly system: { readonly name: string } }).system.name;
}

/** The part of nact's Actor that `runInMicrotasks` replaces and calls (nact/lib/actor.js). */
interface NactActor {
  busy: boolean;
  stopped?: boolean;
  immediate: unknown;
  state: unknown;
  f: (this: unknown, state: unknown, message: unknown, ctx: unknown) => unknown;
  afterMessage(): void;
  processNext(): void;
  handleFault(message: unknown, sender: unknown, error: unknown): void;
  dispatch(message: unknown, sender: unknown): void;
}

let burst = 0;
let burstEnds: NodeJS.Immediate | null = null;

/**
 * nact's `handleMessage`, run in a microtask while the turn's budget lasts (header). The body is
 * nact 7.6.2's own, but for the context: nact builds one per message (an object and a copy of
 * the actor's children map) for handlers that read `ctx`, and ours never do (`spawnActor` and
 * `spawnParent` take the state and the message only). A run scheduled for an actor that was
 * stopped before it started is skipped, as nact's `clearImmediate` in `stop` skipped it.
 */
function runInMicrotasks(this: NactActor, message: unknown, sender: unknown): void {
  this.busy = true;
  const run = async () => {
    if (this.stopped === true) return;
    try {
      const next = await this.f.call(undefined, this.state, message, undefined);
      this.state = next;
      this.afterMessage();
      this.processNext();
    } catch (error) {
      this.handleFault(message, sender, error);
    }
  };
  if (burst >= limits.dispatchBurstMax) {
    this.immediate = setImmediate(run);
    return;
  }
  burst += 1;
  burstEnds ??= setImmediate(() => {
    burst = 0;
    burstEnds = null;
  });
  queueMicrotask(() => void run());
}

(require('nact/lib/actor.js') as { Actor: { prototype: { handleMessage: unknown } } }).Actor.prototype.handleMessage = runInMicrotasks;

export function startSystem(name: string): SystemRef {
  // nact reads the name only from an options object; a bare string is ignored.
  return nact.start({ name });
}

const validNamePattern = /^[a-z0-9\-_.+!*'(),]+$/i;

/** nact names allow only RFC1738 characters; keys like `wallet:u1` are escaped reversibly. */
export function actorNameOf(key: string): string {
  const name = key.replace(/[^a-z0-9\-_.+!*'(),]/gi, (character) =>
    `$${character.codePointAt(0)!.toString(16)}$`,
  );
  if (!validNamePattern.test(name.replaceAll('$', ''))) throw new Error(`unencodable actor key ${key}`);
  return name;
}

/**
 * Spawns an actor whose crash policy can never throw: nact awaits `onCrash` without a catch,
 * so a throwing policy becomes an unhandled rejection, which kills Node 20.
 */
export function spawnActor<State, Msg>(
  parent: ActorRef<never>,
  name: string,
  behaviour: ActorBehaviour<State, Msg>,
): ActorRef<Msg> {
  const onCrash = async (message: unknown, error: unknown, ctx: NactSupervisionContext): Promise<symbol> => {
    try {
      const pending = ctx.mailbox.map((entry) => entry.message as Msg);
      const decision = await behaviour.onCrash(message as Msg | undefined, error, pending);
      return ctx[decision];
    } catch (policyError) {
      try {
        behaviour.onPolicyFailure(policyError);
      } catch {
        // Nothing may escape a crash policy; the actor is stopped below either way.
      }
      return ctx.stop;
    }
  };
  const handler = (state: unknown, message: unknown) => behaviour.handle(state as State, message as Msg);
  const ref = nact.spawn(parent, handler, name, { initialState: behaviour.initialState, onCrash });
  const actor = systemMap.find(systemNameOf(ref), ref);
  if (actor !== undefined) actors.set(ref, actor);
  return ref as ActorRef<Msg>;
}

/** A parent that never receives messages: it only holds children (see shards in runtime.ts). */
export function spawnParent(system: SystemRef, name: string): ActorRef<never> {
  return nact.spawn(system, async (state) => state, name, {
    initialState: null,
    onCrash: async (_message, _error, ctx) => ctx.resume,
  }) as ActorRef<never>;
}

/**
 * Each spawned actor's nact Actor, found once at spawn. nact's `dispatch` finds it again on every
 * message (a walk down its path from the system) and allocates a fresh `Nobody` sender each
 * time; a message through here costs neither. A stopped actor drops the message, as nact's
 * `dispatch` did by not finding it.
 */
const actors = new WeakMap<object, NactActor>();
/** The sender of every message: our actors answer through a reply in the message, never `ctx.sender`. */
const nobody = Object.freeze({ system: Object.freeze({ name: undefined }), path: Object.freeze({ parts: Object.freeze([]) }), type: 'nobody' });

export function send<Msg>(ref: ActorRef<Msg>, message: Msg): void {
  const actor = actors.get(ref);
  if (actor === undefined) nact.dispatch(ref, message);
  else if (actor.stopped !== true) actor.dispatch(message, nobody);
}

export function stopActor<Msg>(actor: ActorRef<Msg>): void {
  nact.stop(actor);
}
