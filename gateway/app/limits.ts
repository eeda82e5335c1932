/**
 * The operational limits of the gateway and the adapters, in one place (STYLE.md, "Put a limit on
 * everything"); the engine's own are in runtime/limits.ts, the domain's (the cart) in actors/.
 * Each says what exceeding it costs. The composition root (system.ts, server.ts) hands them down;
 * `assertLimits` checks at start that related limits still agree with each other.
 */
import type { Limits } from '../../runtime/limits.ts';
import { blobLimits } from '../../persistence/adapters/blobs/blob-store.ts';
import { searchLimits } from '../../persistence/adapters/search/search-index.ts';
import { maxImageBytes } from '../images.ts';
import type { MailLimits } from '../mail/sender.ts';
import { smtpConnectTimeoutMs, smtpReplyTimeoutMs } from '../mail/smtp.ts';

export const gatewayLimits = {
  redis: {
    /** A command slower than this fails and the caller falls back; it is also the most a request
     *  can wait on a Redis that accepts connections but does not answer. */
    commandTimeoutMs: 250,
    /** How long a (re)connect may take before it is abandoned and retried. */
    connectTimeoutMs: 1_000,
    /** How long the gateway waits for Redis at start before it starts degraded. */
    startWaitMs: 2_000,
    /** The longest pause between reconnect attempts; a returning Redis is used again within it. */
    maxReconnectDelayMs: 1_000,
    /** Command timeouts in a row after which the connection is presumed hung (a stopped Redis, or a
     *  peer gone without a reset) and reopened; until then each request may lose one timeout. */
    hungAfterTimeouts: 3,
    /** How often an idle process pings, so a hung Redis shows on /readyz without traffic. One PING
     *  per process per interval. */
    pingEveryMs: 1_000,
  },
  productOwners: {
    /** Product → seller pairs the checkout's lookup keeps (~100 bytes each, so ~10 MB at most). */
    maxEntries: 100_000,
  },
  productCache: {
    /** Products held at once in process. A product is ~1–2 KB, so this costs at most ~20 MB; beyond
     *  it expired entries are dropped, and if none expired the oldest is. */
    maxEntries: 10_000,
  },
  sessions: {
    /** A session unused this long ends (sliding: every request moves it). One day: a shopper who
     *  comes back the next evening signs in again; a stolen cookie left unused dies within a day. */
    idleTimeoutMs: 24 * 60 * 60 * 1000,
    /** However active, a session ends this long after sign-in; also the token's own expiry
     *  (auth/tokens.ts). Seven days: a stolen token works for a week at most. */
    absoluteLifetimeMs: 7 * 24 * 60 * 60 * 1000,
    /** How stale the stored idle clock may get: one write per active session per minute. The idle
     *  timeout is therefore exact to within this much. */
    touchEveryMs: 60_000,
    /** How long a cached session is trusted before the store is read again. A revocation does not
     *  wait for it (it removes the entry); it only bounds what a missed revocation can cost. */
    cacheTtlMs: 60_000,
    /** Sessions one account may hold; signing in again beyond it ends the least recently used. */
    maxPerUser: 50,
  },
  sessionCache: {
    /** Sessions kept at once; each costs about 200 bytes. Beyond it the oldest entry is dropped
     *  (it is read from the store again on its next request). */
    maxEntries: 100_000,
  },
  rate: {
    /** Login attempts per IP are counted per minute; the count itself is LOGINS_PER_MINUTE
     *  (default 5, DESIGN.md §5). */
    loginWindowMs: 60_000,
    /** Registrations per IP per window (issue #14: 15 accounts in 330 ms from one IP); the count
     *  itself is REGISTRATIONS_PER_HOUR (default 10), since load tests register thousands. */
    registerWindowMs: 60 * 60 * 1000,
    /** Keys tracked at once. Each costs ~100 bytes; beyond it expired windows are dropped, and if
     *  none expired the oldest is, so a flood of spoofed keys cannot grow memory without bound. */
    maxKeys: 100_000,
  },
  /** 30 s, 1 min, 2 min, … up to 1 h: a relay down for a few minutes costs a few minutes of delay;
   *  with 8 attempts a mail gives up after about 2 h 10 min of failures, and an operator sees it.
   *  What each field costs is said on `MailLimits` (mail/sender.ts). */
  mail: {
    retryBaseMs: 30_000,
    retryMaxMs: 3_600_000,
    attemptsMax: 8,
    leaseMs: 300_000,
    batchSize: 20,
    concurrency: 4,
    pollMs: 1_000,
    wakeDelayMs: 200,
  } satisfies MailLimits,
  ws: {
    /** Commands one socket may have running at once; more answer `too_many_commands`. */
    commandsInFlightMax: 16,
    /** Notifications read per catch-up page. */
    replayPageSize: 200,
    /** Bytes a socket may have queued before it is closed as a slow consumer (resume fixes it). */
    maxBackpressureBytes: 1024 * 1024,
    /** Bytes in one WebSocket message; a larger one closes the socket. A command is small JSON. */
    maxPayloadBytes: 64 * 1024,
  },
  routes: {
    /** Days of sales a stats request may span; bounds the query and the chart. */
    maxStatsDays: 366,
    /** Entries one journal page or replay reads; a longer stream is paged (journal) or refused (replay). */
    maxEntriesPerRead: 10_000,
    /** Actor keys one listing returns. */
    maxActorsListed: 1_000,
    /** Notification rows one request returns at most: a bell's list, not an export. */
    maxHistoryRows: 50,
    /** Addresses one shopper may keep: a book to pick from at checkout, listed whole on every cart. */
    maxAddressesPerUser: 20,
  },
  replies: {
    /** A command's reply is held in memory at once and written to `command_replies` this much
     *  later, with the replies saved meanwhile (persistence/adapters/command-replies.ts). */
    writeDelayMs: 50,
  },
  journal: {
    /** Entries one batch write may carry: MongoDB's maxWriteBatchSize. Beyond it the driver splits
     *  the write, and a group-commit round would no longer be one statement. */
    entriesPerStatementMax: 100_000,
  },
  /** The adapters' own bounds (the ports' contracts), listed here so the checks below see them. */
  search: searchLimits,
  blobs: blobLimits,
} as const;

/** The shape of `gatewayLimits` with plain numbers, so a test or a check can pass other values. */
type Numbers<T> = { readonly [Name in keyof T]: T[Name] extends number ? number : Numbers<T[Name]> };
export type GatewayLimits = Numbers<typeof gatewayLimits>;

/** What `assertLimits` checks: the limits plus the configured values they must agree with. */
export interface LimitFacts {
  readonly engine: Limits;
  readonly gateway: GatewayLimits;
  /** config.gateway.maxBodyBytes (MAX_BODY_BYTES). */
  readonly maxBodyBytes: number;
}

/** Throws one error naming every broken fact, so a bad edit or configuration fails at start. */
export function assertLimits({ engine, gateway, maxBodyBytes }: LimitFacts): void {
  const { sessions, redis, ws, mail, search, blobs, journal } = gateway;
  const facts: [boolean, string][] = [
    [engine.journalMaxBatch >= 1, 'the journal batch holds at least one entry'],
    [engine.journalMaxBatch <= journal.entriesPerStatementMax, 'a journal batch fits in one statement'],
    [engine.processorBatch >= engine.journalMaxBatch, 'the processor takes at least one journal batch per round'],
    [engine.sagaRetryBaseMs <= engine.sagaRetryMaxMs, 'the saga retry backoff starts at or below its cap'],
    [engine.restartBackoffBaseMs <= engine.restartBackoffMaxMs, 'the restart backoff starts at or below its cap'],
    [engine.sagaEffectsPerActorMax <= engine.sagaEffectsMax, 'one actor cannot hold more saga effects than all actors'],
    [ws.maxPayloadBytes <= maxBodyBytes, 'a WebSocket message carries no more than an HTTP body'],
    [sessions.cacheTtlMs <= sessions.idleTimeoutMs, 'a cached session is not trusted past its idle timeout'],
    [sessions.touchEveryMs < sessions.idleTimeoutMs, 'an active session is touched before it goes idle'],
    [sessions.idleTimeoutMs <= sessions.absoluteLifetimeMs, 'the idle timeout ends a session no later than its lifetime'],
    [redis.commandTimeoutMs < redis.connectTimeoutMs, 'a Redis command times out before a reconnect does'],
    [redis.connectTimeoutMs <= redis.startWaitMs, 'the start waits for at least one Redis connect'],
    [mail.retryBaseMs <= mail.retryMaxMs, 'the mail retry backoff starts at or below its cap'],
    // A lease shorter than a send lets a second sender claim the row while the first still sends.
    [mail.leaseMs > smtpConnectTimeoutMs + smtpReplyTimeoutMs, 'a mail lease outlasts one SMTP exchange'],
    [search.maxPageSize <= search.maxTotalHits, 'one search page fits under the hit cap'],
    [search.maxTotalHits % search.maxPageSize === 0, 'the last reachable search page is a whole page'],
    [maxImageBytes <= blobs.maxBlobBytes, 'an accepted image fits in one blob'],
  ];
  const broken = facts.filter(([holds]) => !holds).map(([, fact]) => fact);
  if (broken.length > 0) throw new Error(`limits disagree: not true that ${broken.join('; not true that ')}`);
}
