// @ts-check
/**
 * One live trading session over WebSockets (k6/websockets). A seller and a buyer each connect
 * to /ws with their token; once both are greeted (`hello`), the buyer sends `checkout` commands
 * on the socket, each stamped with its send time, and the seller's `order.new` notification for
 * the resulting order measures command-to-delivery latency (`notification_latency`).
 *
 * Loss is counted two ways, and both have a `count==0` threshold:
 * - `notifications_lost`: orders this session placed whose `order.new` had not reached the
 *   seller's socket when the session ended (GRACE_MS after the last answer);
 * - `notification_seq_gaps`: on every socket, each notification's seq must be the previous + 1
 *   (DESIGN.md §5); a skipped or repeated seq is a notification lost or sent twice.
 */
import { check } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import { setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import { BASE_URL, RUN_ID, call, expectStatus } from './api.js';
import { pick } from './market.js';

export const notificationLatency = new Trend('notification_latency', true);
export const notificationsLost = new Counter('notifications_lost');
export const notificationSeqGaps = new Counter('notification_seq_gaps');

/**
 * @typedef {import('./market.js').Market} Market
 * @typedef {import('./api.js').Account} Account
 * @typedef {{ commands: number, intervalMs: number, graceMs: number }} SessionShape
 */

const WS_URL = `${BASE_URL.replace(/^http/, 'ws')}/ws`;

/**
 * A socket that checks its notifications' seqs and hands each parsed message on.
 * @param {Account} account
 * @param {(message: any) => void} onMessage
 * @param {() => void} onHello
 */
function connect(account, onMessage, onHello) {
  const socket = new WebSocket(WS_URL, null, { headers: { Authorization: `Bearer ${account.token}` } });
  /** @type {number | null} */
  let lastSeq = null;
  socket.onmessage = (event) => {
    if (event === undefined || typeof event.data !== 'string') return;
    const message = JSON.parse(event.data);
    if (message.type === 'hello') {
      lastSeq = message.lastSeq;
      onHello();
    } else if (message.type === 'notification') {
      if (lastSeq !== null && message.seq !== lastSeq + 1) notificationSeqGaps.add(1);
      lastSeq = message.seq;
    }
    onMessage(message);
  };
  socket.onerror = (event) => console.warn(`websocket error: ${event ? event.error : 'unknown'}`);
  return socket;
}

/**
 * Pairs each order a checkout answered with the seller's `order.new` for it, whichever comes
 * first (the notification can beat the command's answer), and records the latency from send.
 */
function orderMatcher() {
  /** @type {Map<string, number>} orderId → send time, until the seller hears of it */
  const expected = new Map();
  /** @type {Map<string, number>} orderId → arrival time, for notifications that beat the answer */
  const early = new Map();
  return {
    /** @param {string} orderId @param {number} sentAt */
    placed(orderId, sentAt) {
      const arrived = early.get(orderId);
      if (arrived === undefined) expected.set(orderId, sentAt);
      else {
        early.delete(orderId);
        notificationLatency.add(arrived - sentAt);
      }
    },
    /** @param {string} orderId */
    heard(orderId) {
      const sentAt = expected.get(orderId);
      if (sentAt === undefined) early.set(orderId, Date.now());
      else {
        expected.delete(orderId);
        notificationLatency.add(Date.now() - sentAt);
      }
    },
    /** Orders placed whose notification has not come (yet). */
    missing: () => expected.size,
  };
}

/**
 * @param {Market} market
 * @param {number} vu
 * @param {number} iteration
 * @param {SessionShape} shape
 */
export function liveSession(market, vu, iteration, shape) {
  const buyer = pick(market.buyers, vu * 31 + iteration);
  const seller = pick(market.sellers, vu + iteration);
  // The page a buyer has open loads its wallet over HTTP before the socket takes over.
  expectStatus(call('GET', '/api/wallet', { token: buyer.token }), 200, 'wallet');

  /** @type {Map<string, number>} command id → send time */
  const sentAt = new Map();
  const orders = orderMatcher();
  let greeted = 0;
  let answered = 0;
  let finished = false;

  const finish = () => {
    if (finished) return;
    finished = true;
    notificationsLost.add(orders.missing());
    notificationSeqGaps.add(0);
    sellerSocket.close();
    buyerSocket.close();
  };

  /** Ends the session once every order was heard of, or at the deadline (the rest are lost). @param {number} deadline */
  const finishWhenHeard = (deadline) => {
    if (orders.missing() === 0 || Date.now() >= deadline) finish();
    else setTimeout(() => finishWhenHeard(deadline), 50);
  };

  /** @param {any} message */
  const onSellerMessage = (message) => {
    if (message.type === 'notification' && message.event === 'order.new') orders.heard(message.data.orderId);
  };

  /** @param {any} message */
  const onBuyerMessage = (message) => {
    if (typeof message.id !== 'string' || !sentAt.has(message.id)) return;
    const sent = sentAt.get(message.id) ?? Date.now();
    answered += 1;
    if (check(message, { 'checkout over the socket succeeds': (m) => m.ok === true })) {
      for (const orderId of message.result.orderIds) orders.placed(orderId, sent);
    }
    if (answered === shape.commands) finishWhenHeard(Date.now() + shape.graceMs);
  };

  const sendCheckouts = () => {
    for (let index = 0; index < shape.commands; index += 1) {
      setTimeout(() => {
        const checkoutId = `k6-${RUN_ID}-live-${vu}-${iteration}-${index}`;
        sentAt.set(checkoutId, Date.now());
        const args = { checkoutId, items: [{ productId: pick(seller.productIds, index), qty: 1 }] };
        buyerSocket.send(JSON.stringify({ id: checkoutId, type: 'command', name: 'checkout', args }));
      }, index * shape.intervalMs);
    }
    // A session never outlives its commands plus the grace, even if an answer never comes.
    setTimeout(finish, shape.commands * shape.intervalMs + 2 * shape.graceMs);
  };

  const onHello = () => {
    greeted += 1;
    // Both listening before the first order, so no notification can predate its socket.
    if (greeted === 2) sendCheckouts();
  };

  const sellerSocket = connect(seller, onSellerMessage, onHello);
  const buyerSocket = connect(buyer, onBuyerMessage, onHello);
}
