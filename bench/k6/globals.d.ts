// k6 provides `console` in every script, but @types/k6 declares only k6's own globals
// (__ENV, __VU, __ITER, open); this adds the part of console the scripts use.
declare global {
  var console: {
    log(...values: unknown[]): void;
    warn(...values: unknown[]): void;
    error(...values: unknown[]): void;
  };
}

export {};
