import { randomUUID } from 'node:crypto';

/** Injected id generation (DESIGN.md §2): production uses UUIDs, tests a seeded sequence. */
export interface IdGenerator {
  next(prefix?: string): string;
}

export const uuidIds: IdGenerator = {
  next: (prefix) => (prefix ? `${prefix}_${randomUUID()}` : randomUUID()),
};

export class SequentialIds implements IdGenerator {
  private counter = 0;
  constructor(private readonly namespace = 't') {}
  next(prefix?: string): string {
    this.counter += 1;
    const id = `${this.namespace}${this.counter.toString().padStart(6, '0')}`;
    return prefix ? `${prefix}_${id}` : id;
  }
}
