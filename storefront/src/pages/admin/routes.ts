/**
 * Every operator page, in one lazily loaded chunk: whoever opens one opens the others, and one
 * chunk compresses better than six (each repeats its imports), which keeps the storefront's JS
 * inside its 60 KiB budget (bench/results/storefront.json counts every chunk).
 */
export { default as AdminOverview } from './Overview.tsx';
export { default as AdminActors } from './Actors.tsx';
export { default as AdminActorInspector } from './ActorInspector.tsx';
export { default as AdminAudit } from './Audit.tsx';
export { default as AdminDisputes } from './Disputes.tsx';
export { default as AdminMail } from './Mail.tsx';
export { default as AdminCluster } from './Cluster.tsx';
