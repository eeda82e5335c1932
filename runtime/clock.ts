/** Injected time (DESIGN.md §2): production reads the system clock, tests move a virtual one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export class VirtualClock implements Clock {
  constructor(private currentMs = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.currentMs;
  }
  advance(byMs: number): void {
    if (!Number.isInteger(byMs) || byMs < 0) throw new Error(`cannot advance a clock by ${byMs} ms`);
    this.currentMs += byMs;
  }
  set(toMs: number): void {
    if (toMs < this.currentMs) throw new Error('a virtual clock never runs backwards');
    this.currentMs = toMs;
  }
}
