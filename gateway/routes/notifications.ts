/**
 * The notification centre (issue #15 §2): the signed-in user's persisted notifications, newest
 * first and paged by seq, with read marks kept on the server so every tab shows one unread count.
 */
import * as v from 'valibot';
import type { MarkReadDto, NotificationCentreDto } from '../api-types.ts';
import type { GatewayContext } from '../context.ts';
import type { ApiRequest, Route } from '../http.ts';
import { ApiError, ok } from '../http.ts';
import { parseBody, parseQuery } from '../validate.ts';
import { gatewayLimits } from '../app/limits.ts';

const { maxHistoryRows } = gatewayLimits.routes;

const seqNumber = v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(2_147_483_647));
const seqText = v.pipe(v.string(), v.regex(/^\d{1,10}$/, 'must be a seq number'), v.transform(Number), v.maxValue(2_147_483_647));
const historyQuery = v.object({
  before: v.optional(seqText),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, 'must be a number'), v.transform(Number), v.minValue(1, 'must be at least 1'), v.maxValue(maxHistoryRows, `must be at most ${maxHistoryRows}`)), '20'),
});
const markReadBody = v.union([v.strictObject({ seq: seqNumber }), v.strictObject({ throughSeq: seqNumber })], 'give seq or throughSeq');

function userIdOf(request: ApiRequest): string {
  if (request.principal === null) throw new ApiError(401, 'unauthenticated', 'sign in first');
  return request.principal.userId;
}

export const notificationRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/notifications',
    access: 'user',
    tag: 'notifications',
    summary: 'My notifications, newest first (before=seq pages back), with read marks and the unread count.',
    handler: async (request, context) => {
      const query = parseQuery(request, historyQuery);
      const history: NotificationCentreDto = await context.notificationCentre.history(userIdOf(request), query.before ?? null, query.limit);
      return ok(history);
    },
  },
  {
    method: 'POST',
    pattern: '/api/notifications/read',
    access: 'user',
    tag: 'notifications',
    summary: 'Mark one notification (seq) or all up to throughSeq as read; answers the unread count.',
    handler: async (request, context) => {
      const body: MarkReadDto = parseBody(request, markReadBody);
      return ok({ unread: await context.notificationCentre.markRead(userIdOf(request), body, context.clock.now()) });
    },
  },
];
