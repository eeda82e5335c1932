/**
 * Operator reads (ADMIN): actors, an actor's state now and as of a seq or a time, its journal,
 * the ledger audit, the dispute queue (disputed orders) and the mail outbox.
 */
import { query } from '@solidjs/router';
import type { ActorStateDto, ActorSummaryDto, JournalEntryDto, MailDto, MailStatus, OrderDto, Page } from '../../../gateway/api-types.ts';
import type { AuditDto as LedgerAudit } from '../../../gateway/api-types.ts';
import type { ActorSearchDto, ClusterDto, OverviewDto } from '../../../gateway/admin-api-types.ts';
import { api, ApiFailure } from '../lib/api.ts';

export type ActorKind = 'wallet' | 'order' | 'seller' | 'checkout';
export const actorKinds: readonly ActorKind[] = ['order', 'wallet', 'seller', 'checkout'];

export const getActors = query(
  (kind: ActorKind | undefined) => api<{ readonly items: readonly ActorSummaryDto[]; readonly total: number }>('/api/admin/actors', { query: { kind } }),
  'admin-actors',
);

function actorPath(key: string): string {
  return `/api/admin/actors/${encodeURIComponent(key)}`;
}

export const getActor = query((key: string) => api<ActorStateDto>(actorPath(key)), 'admin-actor');

export const getActorJournal = query(
  (key: string) => api<{ readonly items: readonly JournalEntryDto[]; readonly lastSeq: number }>(`${actorPath(key)}/journal`, { query: { limit: 1000 } }),
  'admin-journal',
);

export type AsOf = { readonly atSeq: number } | { readonly atTime: number };

export const getActorStateAt = query(
  (key: string, asOf: AsOf) => api<ActorStateDto>(`${actorPath(key)}/state`, { query: 'atSeq' in asOf ? { atSeq: asOf.atSeq } : { atTime: asOf.atTime } }),
  'admin-actor-at',
);

export type { LedgerAudit };

export const getLedgerAudit = query(() => api<LedgerAudit>('/api/admin/ledger/audit'), 'admin-audit');

export const getDisputes = query(() => api<Page<OrderDto>>('/api/orders', { query: { status: 'DISPUTED', pageSize: 100 } }), 'admin-disputes');

export const mailStatuses: readonly MailStatus[] = ['pending', 'sending', 'sent', 'failed'];

export const getMail = query(async (status: MailStatus | undefined, page: number): Promise<Page<MailDto>> => {
  try {
    return await api<Page<MailDto>>('/api/admin/mail', { query: { status, page, pageSize: 50 } });
  } catch (error) {
    // The outbox route arrived later than this page (issue #6); say so instead of "not found".
    if (error instanceof ApiFailure && error.status === 404) throw new ApiFailure(404, 'mail_unavailable', 'Mail is not available on this server yet.');
    throw error;
  }
}, 'admin-mail');

/** Actors by what people quote: an order number, an order id, an email, a product title or a key. */
export const searchActors = query((text: string) => api<ActorSearchDto>('/api/admin/search', { query: { q: text } }), 'admin-search');

/** One sample for the overview; not a cached query, since every call must be a fresh sample. */
export function sampleOverview(): Promise<OverviewDto> {
  return api<OverviewDto>('/api/admin/overview');
}

/** The cluster view, uncached: the page reads it every two seconds. */
export function sampleCluster(): Promise<ClusterDto> {
  return api<ClusterDto>('/api/admin/cluster', { query: { handoffs: 30 } });
}

/** Journal entries after `afterSeq`, for following an actor live. */
export function journalAfter(key: string, afterSeq: number): Promise<{ readonly items: readonly JournalEntryDto[]; readonly lastSeq: number }> {
  return api(`${actorPath(key)}/journal`, { query: { afterSeq, limit: 200 } });
}

/** The actor's state now, uncached (the live inspector reads it after each new entry). */
export function readActor(key: string): Promise<ActorStateDto> {
  return api<ActorStateDto>(actorPath(key));
}
