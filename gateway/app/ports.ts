/**
 * Builds the ports route handlers get (gateway/ports.ts) over a running system: the composition
 * root is the one place that hands the database and the runtime to the read sides and commands.
 */
import { keyPrefix } from '../../actors/keys.ts';
import { KnownKeys } from '../../runtime/known-keys.ts';
import type { EventProcessor } from '../../runtime/processor.ts';
import type { Db, Row } from '../../persistence/adapters/db.ts';
import type { Stores } from '../../persistence/adapters/open-stores.ts';
import { checkDb } from '../../persistence/adapters/db-health.ts';
import { SqlReplyStore, type ReplyStore } from '../../persistence/adapters/command-replies.ts';
import { pendingTimerCounts, pendingTimersOf } from '../../persistence/adapters/timer-rows.ts';
import { listMails } from '../../persistence/projections/mail/outbox.ts';
import { auditLedger } from '../../persistence/projections/readmodels/audit.ts';
import { ledgerPage } from '../../persistence/projections/readmodels/ledger-queries.ts';
import { findOrder, listOrders } from '../../persistence/projections/readmodels/order-queries.ts';
import { findProduct, listProducts, sellersOfProducts } from '../../persistence/projections/readmodels/product-queries.ts';
import type { ProductOwners } from '../../persistence/projections/cache/product-owners.ts';
import { sellerNames, sellerStats } from '../../persistence/projections/readmodels/seller-queries.ts';
import { SqlAddressStore } from '../../persistence/adapters/addresses.ts';
import { gatewayLimits } from './limits.ts';
import type { AddressBookPort, CommandPort, HealthPort, MailOutboxPort, NotificationCentrePort, OperatorPort, QueryPorts } from '../ports.ts';
import { markRead, notificationHistory } from '../../persistence/projections/notifications/history.ts';
import { findActors } from '../../persistence/projections/readmodels/actor-search.ts';
import { sellerOrderIdsByNumber } from '../../persistence/projections/readmodels/order-number-search.ts';
import { overviewOf } from './overview.ts';
import { clusterViewOf } from './cluster-view.ts';
import { createCommandPort } from './commerce.ts';
import type { BazaarySystem } from './system.ts';

/** How long a checkout request waits for its saga; a timeout answers 503 and the retry is safe. */
export const checkoutWaitMs = 15_000;

export interface GatewayPorts {
  readonly commands: CommandPort;
  readonly queries: QueryPorts;
  readonly mailOutbox: MailOutboxPort;
  readonly operator: OperatorPort;
  readonly health: HealthPort;
  /** First answers to client command ids, replayed to retries (gateway/idempotency.ts). */
  readonly replies: ReplyStore;
  readonly notificationCentre: NotificationCentrePort;
  readonly addresses: AddressBookPort;
}

export function createQueryPorts(db: Db, owners: ProductOwners): QueryPorts {
  return {
    orders: { find: (orderId) => findOrder(db, orderId), list: (query) => listOrders(db, query), idsByNumber: (sellerId, prefix) => sellerOrderIdsByNumber(db, sellerId, prefix) },
    products: { find: (productId) => findProduct(db, productId), list: (query) => listProducts(db, query), sellersOf: (ids) => owners.sellersOf(ids, (missing) => sellersOfProducts(db, missing)) },
    ledger: { page: (walletId, page, pageSize) => ledgerPage(db, walletId, page, pageSize) },
    sellers: { stats: (sellerId, fromMs, toMs) => sellerStats(db, sellerId, fromMs, toMs), names: (ids) => sellerNames(db, ids) },
  };
}

function createOperatorPort(system: BazaarySystem): OperatorPort {
  const { runtime, stores } = system;
  return {
    residents: () => runtime.list(),
    keysOfKind: (kind) => stores.journal.keys(keyPrefix(kind)),
    inspect: (key) => runtime.inspect(key),
    exists: async (key) => runtime.isResident(key) || (await stores.journal.lastSeq(key)) > 0,
    deciderOf: (kind) => runtime.deciderOf(kind),
    journal: (key, afterSeq, limit) => stores.journal.read(key, afterSeq, limit),
    lastSeq: (key) => stores.journal.lastSeq(key),
    pendingTimers: (key) => pendingTimersOf(stores.gatewayDb, key),
    pendingTimerCounts: () => pendingTimerCounts(stores.gatewayDb),
    audit: () => auditLedger(stores.journal),
    findActors: (text) => findActors(stores.gatewayDb, (key) => stores.journal.lastSeq(key), text),
    overview: (now, requests) => overviewOf(system, now, requests),
    cluster: (query) => clusterViewOf(system, query),
  };
}

/**
 * The command replies. Embedded (PGlite in this process's data dir), this process is the table's
 * only writer, so a filter of the ids stored answers most lookups with no query; with a shared
 * PostgreSQL another process may have stored the reply, so every new id is looked up.
 */
function replyStore(system: BazaarySystem): ReplyStore {
  const { writeDelayMs } = gatewayLimits.replies;
  if (system.config.databaseUrl !== undefined) return new SqlReplyStore(system.stores.gatewayDb, undefined, writeDelayMs);
  const stored = new KnownKeys();
  const store = new SqlReplyStore(system.stores.gatewayDb, stored, writeDelayMs);
  stored.fill(() => store.storedKeys()).catch((error: unknown) => system.logger.warn({ err: error }, 'reading the stored command ids failed; replies are looked up in the store'));
  return store;
}

export function createHealthPort(db: Pick<Db, 'query'>, processor: Pick<EventProcessor, 'isRunning' | 'lags'>): HealthPort {
  return {
    checkDb: () => checkDb(db),
    processorRunning: () => processor.isRunning(),
    consumers: () => processor.lags().map(({ consumer, lag, failures }) => ({ consumer, lag, failures })),
  };
}

/** What /readyz checks: both PostgreSQL pools answer (db-pools.ts); embedded they are one. */
export function readinessDb(stores: Pick<Stores, 'db' | 'gatewayDb'>): Pick<Db, 'query'> {
  if (stores.gatewayDb === stores.db) return stores.db;
  return {
    query: async <T extends Row>(sql: string, params?: readonly unknown[]) => {
      const [, answer] = await Promise.all([stores.db.query<T>(sql, params), stores.gatewayDb.query<T>(sql, params)]);
      return answer;
    },
  };
}

export function createGatewayPorts(system: BazaarySystem, productOwners: ProductOwners): GatewayPorts {
  // The gateway's own pool (db-pools.ts): callers' reads never queue the runtime's batches.
  const db = system.stores.gatewayDb;
  return {
    replies: replyStore(system),
    commands: createCommandPort(system, checkoutWaitMs),
    queries: createQueryPorts(db, productOwners),
    mailOutbox: {
      enqueue: (mails) => system.mail.enqueue(mails),
      list: (query) => listMails(db, query),
    },
    operator: createOperatorPort(system),
    health: createHealthPort(readinessDb(system.stores), system.processor),
    notificationCentre: {
      history: (userId, beforeSeq, limit) => notificationHistory(db, userId, beforeSeq, limit),
      markRead: (userId, target, at) => markRead(db, userId, target, at),
    },
    addresses: new SqlAddressStore(db, gatewayLimits.routes.maxAddressesPerUser),
  };
}
