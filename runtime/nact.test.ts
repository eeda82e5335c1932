import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { limits } from './limits.ts';
import { actorNameOf, send, spawnActor, spawnParent, startSystem, stopActor, type ActorRef } from './nact.ts';

/** An actor that hands each message to `onMessage` and never crashes. */
function actorOf<Msg>(parent: ActorRef<never>, name: string, onMessage: (message: Msg) => void): ActorRef<Msg> {
  return spawnActor<null, Msg>(parent, name, {
    initialState: null,
    handle: async (state, message) => {
      onMessage(message);
      return state;
    },
    onCrash: async () => 'stop',
    onPolicyFailure: () => {},
  });
}

describe('the nact wrapper', () => {
  it('loads and runs an actor under plain Node ESM, not only under the test transform', () => {
    // nact's named exports (time constants, configureLogging) type-check but are undefined at
    // run time under ESM; the wrapper loads nact through require, which this proves outside vitest.
    const script = `
      const nact = await import('./runtime/nact.ts');
      const system = nact.startSystem('esm-check');
      const parent = nact.spawnParent(system, 'p');
      const seen = await new Promise((resolve) => {
        const actor = nact.spawnActor(parent, 'a', {
          initialState: 0,
          handle: async (state, message) => { resolve(message); return state + 1; },
          onCrash: async () => 'stop',
          onPolicyFailure: () => {},
        });
        nact.send(actor, 'ping');
      });
      nact.stopActor(system);
      process.stdout.write(String(seen));
    `;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    });
    expect(output).toBe('ping');
  });

  it('escapes actor keys into valid, distinct nact names', () => {
    expect(actorNameOf('wallet:u1')).toBe('wallet$3a$u1');
    expect(actorNameOf('order:a/b')).not.toBe(actorNameOf('order:a_b'));
    expect(actorNameOf('seller:$3a$')).not.toBe(actorNameOf('seller::'));
    expect(() => actorNameOf('wallet:ünï ©ode')).not.toThrow();
  });

  it('runs a message to an idle actor in the turn it was sent, not in the next one', async () => {
    const system = startSystem('same-turn');
    const handled: string[] = [];
    const actor = actorOf<string>(spawnParent(system, 'p'), 'a', (message) => handled.push(message));
    const nextTurn = new Promise<string[]>((resolve) => setImmediate(() => resolve([...handled])));
    send(actor, 'now');
    expect(await nextTurn).toEqual(['now']);
    stopActor(system);
  });

  it('yields to the event loop after dispatchBurstMax messages in one turn, so a ping-pong cannot starve it', async () => {
    const system = startSystem('burst');
    const parent = spawnParent(system, 'p');
    const total = limits.dispatchBurstMax * 3;
    let handled = 0;
    let handledWhenTheLoopTurned = -1;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => (done = resolve));
    const refs: { ping?: ActorRef<number>; pong?: ActorRef<number> } = {};
    const bounce = (to: () => ActorRef<number> | undefined) => (n: number) => {
      handled += 1;
      const target = to();
      if (n >= total) done();
      else if (target !== undefined) send(target, n + 1);
    };
    refs.ping = actorOf<number>(parent, 'ping', bounce(() => refs.pong));
    refs.pong = actorOf<number>(parent, 'pong', bounce(() => refs.ping));
    setImmediate(() => (handledWhenTheLoopTurned = handled));
    send(refs.ping, 1);
    await finished;
    expect(handled).toBe(total);
    // The loop turned while the ping-pong still ran, after at most a burst's worth of messages.
    expect(handledWhenTheLoopTurned).toBeGreaterThan(0);
    expect(handledWhenTheLoopTurned).toBeLessThanOrEqual(limits.dispatchBurstMax);
    stopActor(system);
  });

  it('skips a message whose actor was stopped before the message ran, as nact did', async () => {
    const system = startSystem('stopped');
    const handled: string[] = [];
    const actor = actorOf<string>(spawnParent(system, 'p'), 'a', (message) => handled.push(message));
    send(actor, 'too late');
    stopActor(actor);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handled).toEqual([]);
    stopActor(system);
  });
});
