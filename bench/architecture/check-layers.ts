/**
 * `npm run check:layers`: fails on any import that runs up the stack, between rooms that must not
 * know each other, or in a circle (DESIGN.md §1). CI runs it before the tests.
 */
import { readImportGraph } from './import-graph.ts';
import { checkLayers } from './layers.ts';

const graph = readImportGraph(process.cwd());
const violations = checkLayers(graph);
for (const violation of violations) process.stderr.write(`${violation.rule}: ${violation.message}\n`);
if (violations.length > 0) {
  process.stderr.write(`check:layers: ${violations.length} violation(s) in ${graph.size} files\n`);
  process.exit(1);
}
process.stdout.write(`check:layers: ${graph.size} files, every import points down, no cycles\n`);
