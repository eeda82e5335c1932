import { describe, expect, it } from 'vitest';
import type { ImportEdge, ImportGraph } from './import-graph.ts';
import { importsOf, readImportGraph } from './import-graph.ts';
import { checkLayers } from './layers.ts';

const value = (to: string): ImportEdge => ({ to, typeOnly: false });
const typeOnly = (to: string): ImportEdge => ({ to, typeOnly: true });
const graphOf = (edges: Record<string, readonly ImportEdge[]>): ImportGraph => new Map(Object.entries(edges));
const rulesOf = (graph: ImportGraph) => checkLayers(graph).map((violation) => violation.rule);

describe('check:layers', () => {
  it('passes on this tree', () => {
    expect(checkLayers(readImportGraph(process.cwd())).map((violation) => violation.message)).toEqual([]);
  });

  it('bites on an import up the stack, type-only or not', () => {
    expect(rulesOf(graphOf({ 'runtime/entity.ts': [value('gateway/app/config.ts')], 'gateway/app/config.ts': [] }))).toEqual(['upward']);
    expect(rulesOf(graphOf({ 'actors/order/order.ts': [typeOnly('persistence/adapters/journal.ts')], 'persistence/adapters/journal.ts': [] }))).toEqual(['upward']);
    expect(rulesOf(graphOf({ 'gateway/server.ts': [value('runtime/runtime.ts')], 'runtime/runtime.ts': [value('persistence/adapters/db.ts')], 'persistence/adapters/db.ts': [] }))).toEqual([]);
  });

  it('keeps adapters from knowing the projections', () => {
    const graph = graphOf({ 'persistence/adapters/sql-journal.ts': [value('persistence/projections/readmodels/orders.ts')], 'persistence/projections/readmodels/orders.ts': [] });
    expect(rulesOf(graph)).toEqual(['sibling']);
  });

  it('lets the storefront take only wire types from the gateway, and nothing from persistence', () => {
    expect(rulesOf(graphOf({ 'storefront/src/data/orders.ts': [typeOnly('gateway/api-types.ts')], 'gateway/api-types.ts': [] }))).toEqual([]);
    expect(rulesOf(graphOf({ 'storefront/src/data/orders.ts': [value('gateway/api-types.ts')], 'gateway/api-types.ts': [] }))).toEqual(['storefront']);
    expect(rulesOf(graphOf({ 'storefront/src/data/admin.ts': [typeOnly('persistence/projections/readmodels/audit.ts')], 'persistence/projections/readmodels/audit.ts': [] }))).toEqual(['storefront']);
  });

  it('finds circles between sibling folders and between files', () => {
    const folders = graphOf({ 'gateway/auth/a.ts': [value('gateway/ws/b.ts')], 'gateway/ws/b.ts': [value('gateway/auth/c.ts')], 'gateway/auth/c.ts': [] });
    expect(rulesOf(folders)).toEqual(['folder-cycle']);
    const files = graphOf({ 'runtime/a.ts': [typeOnly('runtime/b.ts')], 'runtime/b.ts': [value('runtime/a.ts')] });
    expect(rulesOf(files)).toEqual(['file-cycle']);
  });

  it('lets a room use the shared files of the folder it sits in, and a test use its testing helpers', () => {
    const graph = graphOf({
      'gateway/server.ts': [value('gateway/routes/all.ts')],
      'gateway/routes/all.ts': [value('gateway/http.ts')],
      'gateway/http.ts': [],
      'runtime/runtime.test.ts': [value('runtime/testing/harness.ts')],
      'runtime/testing/harness.ts': [value('runtime/runtime.ts')],
      'runtime/runtime.ts': [],
    });
    expect(rulesOf(graph)).toEqual([]);
  });

  it('reads static, re-exported, type-only and dynamic imports, and ignores packages', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "import { type C, type D } from './c.ts';",
      "export type { E } from './e.ts';",
      "import ts from 'typescript';",
      "const f = await import('./f.ts');",
    ].join('\n');
    expect(importsOf('runtime/x/y.ts', text)).toEqual([
      value('runtime/x/a.ts'),
      typeOnly('runtime/b.ts'),
      typeOnly('runtime/x/c.ts'),
      typeOnly('runtime/x/e.ts'),
      value('runtime/x/f.ts'),
    ]);
  });
});
