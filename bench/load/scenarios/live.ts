/**
 * Live: every buyer and seller of this generator holds a WebSocket open. One arrival is one
 * checkout sent as a WebSocket command by a buyer; the seller's `order.new` notification for the
 * resulting order measures command-to-delivery latency, from the command's scheduled start.
 *
 * Loss is counted two ways. At the end, every order the generator was told about must have
 * reached its seller within `finalGraceMs` (after each step it waits `notificationGraceMs` and
 * reports what is still on its way: under overload notifications come late, which is not loss).
 * And on every socket the notification seqs must go up by exactly one (DESIGN.md §5): a skipped
 * or repeated seq is a gap.
 */
import WebSocket from 'ws';
import type { NotificationDto, WsServerMessage } from '../../../gateway/api-types.ts';
import type { TaskOutcome } from '../arrivals.ts';
import { sleep } from '../../lib/pool.ts';
import type { Account } from '../market.ts';
import { pick, type ScenarioWorker, type StepExtra, type WorkerFixture } from './scenario.ts';

/** After a step, how long to wait for its orders' notifications before the next step starts. */
export const notificationGraceMs = 10_000;
/** After the last step, how long notifications may still take before they count as lost. */
export const finalGraceMs = 30_000;
/** Longest wait for a command's answer on the socket. */
const commandTimeoutMs = 30_000;

interface Socket {
  readonly socket: WebSocket;
  lastSeq: number | null;
  readonly pending: Map<string, (message: WsServerMessage) => void>;
}

interface Tally {
  /** orderId → scheduled start of its checkout, for orders whose notification has not come yet. */
  readonly expected: Map<string, number>;
  /** orderId → arrival time, for notifications that came before the checkout's answer. */
  readonly early: Map<string, number>;
  latencies: number[];
  seqGaps: number;
}

function onMessage(connection: Socket, tally: Tally, text: string): void {
  const message = JSON.parse(text) as WsServerMessage;
  if ('type' in message && message.type === 'hello') connection.lastSeq = message.lastSeq;
  if ('type' in message && message.type === 'notification') onNotification(connection, tally, message);
  if ('id' in message && message.id !== null) {
    connection.pending.get(message.id)?.(message);
    connection.pending.delete(message.id);
  }
}

function onNotification(connection: Socket, tally: Tally, notification: NotificationDto): void {
  const arrivedAt = performance.now();
  if (connection.lastSeq !== null && notification.seq !== connection.lastSeq + 1) tally.seqGaps += 1;
  connection.lastSeq = notification.seq;
  if (notification.event !== 'order.new') return;
  const sentAt = tally.expected.get(notification.data.orderId);
  if (sentAt === undefined) tally.early.set(notification.data.orderId, arrivedAt);
  else {
    tally.expected.delete(notification.data.orderId);
    tally.latencies.push(arrivedAt - sentAt);
  }
}

/**
 * Connects as a real client does: a socket dropped before its hello is opened again. The
 * pinned uWebSockets.js build may close a socket it upgraded after an `await` right after
 * opening it (1006, uNetworking/uWebSockets#1929, fixed upstream in July 2026; gateway/uws.ts),
 * which made about one setup in five fail under load. The storefront reconnects and resumes.
 */
async function connect(baseUrl: string, account: Account, tally: Tally): Promise<Socket> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await connectOnce(baseUrl, account, tally);
    } catch (error) {
      if (!(error instanceof ClosedBeforeHello) || attempt === connectAttempts) throw error;
      await sleep(20 * attempt);
    }
  }
}

const connectAttempts = 4;

class ClosedBeforeHello extends Error {
  constructor(code: number) {
    super(`socket closed before hello (${code})`);
  }
}

function connectOnce(baseUrl: string, account: Account, tally: Tally): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${account.token}` } });
    const connection: Socket = { socket, lastSeq: null, pending: new Map() };
    socket.on('message', (data) => {
      onMessage(connection, tally, data.toString());
      if (connection.lastSeq !== null) resolve(connection);
    });
    socket.once('error', reject);
    socket.once('close', (code) => reject(new ClosedBeforeHello(code)));
  });
}

function command(connection: Socket, id: string, name: string, args: Record<string, unknown>): Promise<WsServerMessage> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      connection.pending.delete(id);
      resolve({ id, ok: false, error: { code: 'timeout', message: 'no answer' } });
    }, commandTimeoutMs);
    connection.pending.set(id, (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    connection.socket.send(JSON.stringify({ id, type: 'command', name, args }));
  });
}

export async function liveWorker(fixture: WorkerFixture): Promise<ScenarioWorker> {
  const { buyers, sellers } = fixture.market;
  if (buyers.length === 0 || sellers.length === 0) throw new Error('live needs buyers and sellers');
  const tally: Tally = { expected: new Map(), early: new Map(), latencies: [], seqGaps: 0 };
  const buyerSockets: Socket[] = [];
  // Sellers first: a seller must be listening before any order reaches it.
  const sellerSockets = await Promise.all(sellers.map((seller) => connect(fixture.baseUrl, seller, tally)));
  for (const buyer of buyers) buyerSockets.push(await connect(fixture.baseUrl, buyer, tally));

  async function task(index: number, scheduledMs: number, stepIndex: number): Promise<TaskOutcome> {
    const seller = pick(sellers, index);
    const checkoutId = `${fixture.idPrefix}-s${stepIndex}-${index}`;
    const answer = await command(pick(buyerSockets, index), checkoutId, 'checkout', { checkoutId, items: [{ productId: pick(seller.productIds, index), qty: 1 }] });
    if (!('ok' in answer)) return { ok: false, code: 'check_answer' };
    if (!answer.ok) return { ok: false, code: answer.error.code };
    for (const orderId of (answer.result as { orderIds: string[] }).orderIds) {
      const arrivedAt = tally.early.get(orderId);
      if (arrivedAt === undefined) tally.expected.set(orderId, scheduledMs);
      else {
        tally.early.delete(orderId);
        tally.latencies.push(arrivedAt - scheduledMs);
      }
    }
    return { ok: true };
  }

  /** Waits up to `graceMs` for the expected notifications; reports what came and what is still missing. */
  async function settle(graceMs: number): Promise<StepExtra> {
    const deadline = performance.now() + graceMs;
    while (tally.expected.size > 0 && performance.now() < deadline) await sleep(50);
    const extra: StepExtra = { notificationLatenciesMs: tally.latencies, lostNotifications: tally.expected.size, seqGaps: tally.seqGaps };
    tally.latencies = [];
    tally.seqGaps = 0;
    return extra;
  }

  async function close(): Promise<StepExtra> {
    const extra = await settle(finalGraceMs);
    for (const connection of [...sellerSockets, ...buyerSockets]) connection.socket.close();
    return extra;
  }

  return { task, afterStep: () => settle(notificationGraceMs), close };
}
