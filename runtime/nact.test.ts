import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { actorNameOf } from './nact.ts';

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
});
