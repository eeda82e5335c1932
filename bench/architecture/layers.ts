/**
 * The layering rules of DESIGN.md §1, checked over an import graph:
 * - imports point down: gateway → runtime → persistence → actors, never up;
 * - inside persistence/, adapters never import projections;
 * - the storefront takes wire types from gateway/ by `import type` only, may use the domain's own
 *   constants from actors/, and imports nothing else of the server;
 * - bench/ is the test bench and may use anything; nothing imports bench/;
 * - no cycle between folders (sibling rooms, or top-level folders), and no circle between files.
 */
import type { ImportGraph } from './import-graph.ts';

export interface Violation {
  readonly rule: 'upward' | 'sibling' | 'storefront' | 'bench' | 'folder-cycle' | 'file-cycle';
  readonly message: string;
}

/** Lower numbers sit lower in the stack; a file may import its own layer or lower ones. */
const layerRank: Readonly<Record<string, number>> = { actors: 1, persistence: 2, runtime: 3, gateway: 4 };

/** Rooms that must not import from the other room of the pair (importer, imported). */
const forbiddenRooms: readonly (readonly [string, string, string])[] = [
  ['persistence/adapters/', 'persistence/projections/', 'an adapter must not know the projections that use it'],
];

const isTest = (path: string) => /\.test\.tsx?$/.test(path);
/**
 * The two sibling folders an import crosses between, where the paths part: `gateway/redis/x.ts`
 * → `gateway/auth/y.ts` crosses gateway/redis → gateway/auth, `actors/a/x.ts` → `runtime/y.ts`
 * crosses actors → runtime. An import between a folder and its own subfolder crosses no
 * siblings (a room may use the shared files of the folder it sits in) and gives undefined.
 */
function siblingFolders(from: string, to: string): [string | undefined, string | undefined] {
  const fromParts = from.split('/');
  const toParts = to.split('/');
  let common = 0;
  while (common < fromParts.length - 1 && common < toParts.length - 1 && fromParts[common] === toParts[common]) common += 1;
  const fromIsFolder = common < fromParts.length - 1;
  const toIsFolder = common < toParts.length - 1;
  if (!fromIsFolder || !toIsFolder) return [undefined, undefined];
  return [fromParts.slice(0, common + 1).join('/'), toParts.slice(0, common + 1).join('/')];
}

const topOf = (path: string) => path.split('/')[0] ?? '';
const folderOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('/')));

function edgeViolation(from: string, to: string, typeOnly: boolean): Violation | undefined {
  const fromTop = topOf(from);
  const toTop = topOf(to);
  // The test bench, and the browser tests beside the storefront, may use anything.
  if (fromTop === 'bench' || from.startsWith('storefront/e2e/')) return undefined;
  if (toTop === 'bench') return { rule: 'bench', message: `${from} imports the test bench (${to})` };
  if (fromTop === 'storefront') {
    if (toTop === 'storefront' || toTop === 'actors') return undefined;
    if (toTop === 'gateway' && typeOnly) return undefined;
    return { rule: 'storefront', message: `${from} imports ${to}: the storefront takes only wire types from gateway/ (import type) and constants from actors/` };
  }
  if (toTop === 'storefront') return { rule: 'upward', message: `${from} imports the storefront (${to})` };
  const fromRank = layerRank[fromTop];
  const toRank = layerRank[toTop];
  if (fromRank !== undefined && toRank !== undefined && toRank > fromRank) {
    return { rule: 'upward', message: `${from} imports ${to}: ${fromTop}/ sits below ${toTop}/` };
  }
  for (const [importer, imported, why] of forbiddenRooms) {
    if (from.startsWith(importer) && to.startsWith(imported)) return { rule: 'sibling', message: `${from} imports ${to}: ${why}` };
  }
  return undefined;
}

/** Tarjan's strongly connected components; returns those with more than one node. */
export function cycles(nodes: Iterable<string>, next: (node: string) => Iterable<string>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const other of next(node)) {
      if (!index.has(other)) {
        connect(other);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(other) ?? 0));
      } else if (onStack.has(other)) low.set(node, Math.min(low.get(node) ?? 0, index.get(other) ?? 0));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of nodes) if (!index.has(node)) connect(node);
  return found;
}

export function checkLayers(graph: ImportGraph): Violation[] {
  const violations: Violation[] = [];
  const folderEdges = new Map<string, Set<string>>();
  for (const [from, edges] of graph) {
    for (const edge of edges) {
      const violation = edgeViolation(from, edge.to, edge.typeOnly);
      if (violation !== undefined) violations.push(violation);
      const [fromFolder, toFolder] = siblingFolders(from, edge.to);
      // A test is a leaf that nothing imports, so it cannot close a circle: a folder's tests may
      // use its testing/ helpers, which import the folder.
      if (fromFolder !== undefined && toFolder !== undefined && graph.has(edge.to) && !isTest(from)) {
        const targets = folderEdges.get(fromFolder) ?? new Set<string>();
        targets.add(toFolder);
        folderEdges.set(fromFolder, targets);
      }
    }
  }
  for (const component of cycles(folderEdges.keys(), (folder) => folderEdges.get(folder) ?? [])) {
    const members = new Set(component);
    const witnesses = [...graph]
      .filter(([from]) => !isTest(from))
      .flatMap(([from, edges]) => edges.filter((edge) => { const [a, b] = siblingFolders(from, edge.to); return a !== undefined && b !== undefined && members.has(a) && members.has(b); }).map((edge) => `${from} → ${edge.to}`));
    violations.push({ rule: 'folder-cycle', message: `folders import each other: ${component.join(' ⇄ ')} (${witnesses.join('; ')})` });
  }
  const fileNext = (file: string) => (graph.get(file) ?? []).map((edge) => edge.to).filter((to) => graph.has(to));
  for (const component of cycles(graph.keys(), fileNext)) {
    violations.push({ rule: 'file-cycle', message: `files import each other: ${component.join(' ⇄ ')}` });
  }
  return violations;
}
