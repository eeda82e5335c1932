/**
 * The operators' cluster view (ADMIN only, issue #16): nodes with their heartbeat age, which node
 * owns each shard under which epoch until when, and the ownership changes the answering node has
 * seen (gateway/app/cluster-view.ts). With cluster mode off it answers 200 `{ enabled: false }`
 * and why: a single node is a state to report, not an error.
 */
import * as v from 'valibot';
import { limits } from '../../runtime/limits.ts';
import type { GatewayContext } from '../context.ts';
import type { Route } from '../http.ts';
import { ok } from '../http.ts';
import { parseQuery, wholeNumberQuery } from '../validate.ts';

/** Node names as CLUSTER_NODE_ID allows them (gateway/app/config.ts). */
const nodeName = v.pipe(v.string(), v.regex(/^[A-Za-z0-9][\w.-]{0,62}$/, 'must be a node name: 1-63 letters, digits, dots, dashes or underscores'));
const handoffCount = v.pipe(wholeNumberQuery(limits.handoffHistoryMax), v.minValue(0));

const clusterQuery = v.object({
  owner: v.optional(nodeName),
  handoffs: v.optional(handoffCount, '50'),
});

export const adminClusterRoutes: Route<GatewayContext>[] = [
  {
    method: 'GET',
    pattern: '/api/admin/cluster',
    access: ['ADMIN'],
    tag: 'operators',
    summary: `Cluster mode: live and expired nodes with heartbeat age, each shard's owner, epoch and lease expiry (?owner=<node> for one node's), and the latest ownership changes this node saw (?handoffs=0..${limits.handoffHistoryMax}, default 50). With cluster mode off: { enabled: false, reason }.`,
    handler: async (request, context) => {
      const query = parseQuery(request, clusterQuery);
      return ok(await context.operator.cluster({ owner: query.owner, handoffs: query.handoffs }));
    },
  },
];
