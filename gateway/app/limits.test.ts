import { describe, expect, it } from 'vitest';
import { limits as engineLimits } from '../../runtime/limits.ts';
import { assertLimits, gatewayLimits, type GatewayLimits, type LimitFacts } from './limits.ts';

const today: LimitFacts = { engine: engineLimits, gateway: gatewayLimits, maxBodyBytes: 1024 * 1024 };

function withGateway<Group extends keyof GatewayLimits>(group: Group, change: Partial<GatewayLimits[Group]>): LimitFacts {
  return { ...today, gateway: { ...gatewayLimits, [group]: { ...gatewayLimits[group], ...change } } };
}

describe('assertLimits', () => {
  it('accepts the limits as they are today', () => {
    expect(() => assertLimits(today)).not.toThrow();
  });

  it.each<[string, LimitFacts, string]>([
    ['an empty journal batch', { ...today, engine: { ...engineLimits, journalMaxBatch: 0 } }, 'the journal batch holds at least one entry'],
    ['a journal batch beyond one statement', { ...today, engine: { ...engineLimits, journalMaxBatch: 100_001, processorBatch: 100_001 } }, 'a journal batch fits in one statement'],
    ['a processor batch below the journal batch', { ...today, engine: { ...engineLimits, processorBatch: 499 } }, 'the processor takes at least one journal batch per round'],
    ['a saga backoff above its cap', { ...today, engine: { ...engineLimits, sagaRetryBaseMs: 10_000 } }, 'the saga retry backoff starts at or below its cap'],
    ['a WebSocket payload beyond the HTTP body', { ...today, maxBodyBytes: 32 * 1024 }, 'a WebSocket message carries no more than an HTTP body'],
    ['a session cache trusted past the idle timeout', withGateway('sessions', { cacheTtlMs: 25 * 60 * 60 * 1000 }), 'a cached session is not trusted past its idle timeout'],
    ['an idle timeout past the lifetime', withGateway('sessions', { idleTimeoutMs: 8 * 24 * 60 * 60 * 1000 }), 'the idle timeout ends a session no later than its lifetime'],
    ['a Redis command slower than a connect', withGateway('redis', { commandTimeoutMs: 1_000 }), 'a Redis command times out before a reconnect does'],
    ['a mail lease shorter than an SMTP exchange', withGateway('mail', { leaseMs: 30_000 }), 'a mail lease outlasts one SMTP exchange'],
    ['a search page beyond the hit cap', withGateway('search', { maxPageSize: 20_000 }), 'one search page fits under the hit cap'],
    ['an image larger than a blob', withGateway('blobs', { maxBlobBytes: 1024 }), 'an accepted image fits in one blob'],
  ])('refuses %s, naming the broken fact', (_, facts, fact) => {
    expect(() => assertLimits(facts)).toThrow(fact);
  });

  it('names every broken fact at once', () => {
    const facts = { ...withGateway('redis', { commandTimeoutMs: 5_000 }), maxBodyBytes: 1_024 };
    expect(() => assertLimits(facts)).toThrow(/WebSocket message.*Redis command/);
  });
});
