/**
 * The search contract on Meilisearch (MEILI_URL, MEILI_KEY). No Meilisearch server can be
 * installed on the development machines (DESIGN.md §7), so there this file reports itself
 * skipped. Each run uses its own index and deletes it at the end.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeiliSearchIndex } from './meili-index.ts';
import { catalog, describeSearchContract } from './search.contract.ts';

const meiliUrl = process.env['MEILI_URL'] ?? '';
const meiliKey = process.env['MEILI_KEY'] ?? '';
if (meiliUrl === '') {
  console.warn('meili-index.int.test.ts skipped: MEILI_URL is not set (no Meilisearch server on this machine)');
}

describe.skipIf(meiliUrl === '')('Meilisearch index', () => {
  const indexUid = `products_test_${randomUUID().slice(0, 8)}`;
  let index: MeiliSearchIndex;

  beforeAll(async () => {
    index = await MeiliSearchIndex.open({ host: meiliUrl, apiKey: meiliKey, indexUid });
  });

  afterAll(async () => {
    await index.drop();
  });

  describeSearchContract('MeiliSearchIndex', async () => {
    await index.clear();
    return { index, cleanup: async () => {} };
  });

  it('opens an existing index again, keeping its documents and settings', async () => {
    await index.clear();
    await index.upsert(catalog);
    const reopened = await MeiliSearchIndex.open({ host: meiliUrl, apiKey: meiliKey, indexUid });
    expect(await reopened.count()).toBe(catalog.length);
    expect((await reopened.search({ sort: 'price_asc', page: 1, pageSize: 1 })).hits[0]?.priceMinor).toBe(2_900);
  });
});
