/**
 * Every consumer that follows the journal, and which consumers each one waits for. The event
 * processor (runtime/processor.ts) feeds each from its own checkpoint, so one that fails lags
 * alone; a consumer handles a position only once every consumer it follows has handled it.
 *
 * 1. The timer index follows nothing: a journaled timer reaches the scheduler's table even while
 *    a projection is failing.
 * 2. The read models follow nothing: `orders`, `products`, `wallets` and the rest.
 * 3. Mail planning and 4. the sellers' daily analytics follow the read models: both read
 *    `orders` (the parties and their addresses, the day's outcomes).
 * 5. The search index, 6. notifications and 7. the product-cache invalidation serve the edge and
 *    follow the read models too: search re-reads `products`, notifications read the order's
 *    parties from `orders`, and a cache miss after the invalidation must load the new row. A
 *    system without a gateway (crash workers, benchmarks, tests) has no edge and leaves these
 *    three out.
 * 8. Observers a test or a crash worker adds follow every other consumer, so they see a batch
 *    every other consumer has handled.
 *
 * The timer index, mail, analytics and search are background consumers (processor.ts): answers
 * never wait on them, so they take the log every `processorRoundMinMs` even under load. The read
 * models, notifications and the cache invalidation run as soon as there is work while anyone
 * waits: a reply waits for the read models, a seller's order.new for the notifications, and a
 * read after a write must not find the old row in the cache.
 */
import type { Consumer } from '../../persistence/adapters/consumer.ts';
import type { Stores } from '../../persistence/adapters/open-stores.ts';
import type { SearchIndex } from '../../persistence/adapters/search/search-index.ts';
import { createSellerDailyConsumer, type RecordAggregation } from '../../persistence/projections/analytics/seller-daily.ts';
import { createProductCacheConsumer } from '../../persistence/projections/cache/cache-consumer.ts';
import type { ProductCache } from '../../persistence/projections/cache/product-cache.ts';
import type { ProductOwners } from '../../persistence/projections/cache/product-owners.ts';
import { createMailConsumer } from '../../persistence/projections/mail/mail-consumer.ts';
import type { PlannedMail } from '../../persistence/projections/mail/plan.ts';
import { createNotificationConsumer } from '../../persistence/projections/notifications/notification-consumer.ts';
import type { NotificationHub } from '../../persistence/projections/notifications/ports.ts';
import type { SqlNotificationStore } from '../../persistence/projections/notifications/store.ts';
import { createReadModelConsumer } from '../../persistence/projections/readmodels/consumer.ts';
import { createSearchConsumer } from '../../persistence/projections/search/search-consumer.ts';
import type { FollowedConsumer } from '../../runtime/processor.ts';
import type { TimerIndex } from '../../runtime/timer-index.ts';

/** The gateway's parts its consumers feed: the search index, the live hub and the read caches. */
export interface EdgeParts {
  readonly search: SearchIndex;
  readonly hub: NotificationHub;
  readonly productCache: ProductCache;
  readonly productOwners: ProductOwners;
}

export interface ConsumerParts {
  readonly stores: Stores;
  readonly timerIndex: TimerIndex;
  /** Puts planned mail in the outbox and wakes the sender if it has something to send (the mail
   *  sender's, gateway/mail/sender.ts). */
  readonly enqueueMail: (mails: readonly PlannedMail[]) => Promise<void>;
  /** The analytics actor's port: asks it to record an aggregation it ran. */
  readonly recordAggregation: RecordAggregation;
  readonly processorBatch: number;
  readonly notifications: SqlNotificationStore;
  /** Undefined for a system without a gateway: the edge's consumers are then left out. */
  readonly edge: EdgeParts | undefined;
  readonly observers: readonly Consumer[];
}

export function orderedConsumers(parts: ConsumerParts): FollowedConsumer[] {
  const { stores, edge } = parts;
  const readModels = createReadModelConsumer(stores.db);
  const afterReadModels = (consumer: Consumer, background = false): FollowedConsumer => ({ consumer, after: [readModels.name], background });
  const edgeConsumers: FollowedConsumer[] = edge === undefined ? [] : [
    afterReadModels(createSearchConsumer(stores.db, edge.search), true),
    afterReadModels(createNotificationConsumer(stores.db, parts.notifications, edge.hub)),
    afterReadModels(createProductCacheConsumer(edge.productCache, edge.productOwners)),
  ];
  const followed: FollowedConsumer[] = [
    { consumer: parts.timerIndex, after: [], background: true },
    { consumer: readModels, after: [] },
    afterReadModels(createMailConsumer(stores.db, parts.enqueueMail), true),
    afterReadModels(createSellerDailyConsumer(stores.db, parts.recordAggregation, parts.processorBatch), true),
    ...edgeConsumers,
  ];
  const everyOther = followed.map(({ consumer }) => consumer.name);
  return [...followed, ...parts.observers.map((consumer) => ({ consumer, after: everyOther }))];
}
