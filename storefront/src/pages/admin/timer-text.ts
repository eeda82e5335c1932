/**
 * A pending timer as an operator reads it: what will happen and when, not a JSON message.
 * "Releases the escrow to the seller on 12 Dec 2026, 14:00 (in 6.9 days)".
 */

function relative(dueAt: number, now: number): string {
  const ms = dueAt - now;
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const span = minutes < 60 ? `${minutes} min` : minutes < 2_880 ? `${Math.round(minutes / 6) / 10} h` : `${Math.round(minutes / 144) / 10} days`;
  return ms >= 0 ? `in ${span}` : `${span} overdue`;
}

function action(message: unknown): string {
  const type = typeof message === 'object' && message !== null && 'type' in message ? String((message as { type: unknown }).type) : '';
  switch (type) {
    case 'ReleaseEscrow':
      return 'Releases the escrow to the seller';
    case 'ExpireShipBy':
      return 'Cancels and refunds the order unless it has shipped';
    case 'RetrySteps':
      return 'Retries the saga steps that have not finished';
    case 'RunDailyAggregation':
      return 'Runs the daily seller analytics';
    default:
      return type === '' ? 'Delivers a message' : `Delivers ${type}`;
  }
}

export function timerSentence(message: unknown, dueAt: number, now: number, format: (ms: number) => string): string {
  return `${action(message)} on ${format(dueAt)} (${relative(dueAt, now)}).`;
}
