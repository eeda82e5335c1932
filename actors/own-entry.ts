/**
 * Actor states keep maps as plain records keyed by ids that come from outside (order ids, product
 * ids, step ids). A plain `record[id]` would find Object.prototype's members for an id such as
 * "constructor", so every read of such a record goes through here.
 */

/** The record's own entry under `key`, never one inherited from Object.prototype. */
export function ownEntry<Value>(record: Readonly<Record<string, Value>>, key: string): Value | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
