/** Invariant checks for runtime and persistence code: a failure names the one broken fact. */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

export function invariant(condition: boolean, fact: string): asserts condition {
  if (!condition) throw new InvariantViolation(fact);
}
