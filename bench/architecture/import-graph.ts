/**
 * Reads every TypeScript file of the tree into an import graph: for each file, the project files
 * it imports (static imports, re-exports and dynamic `import()`), each marked type-only or not.
 * Package imports are left out; only the project's own layering is of interest here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Repository-relative path of the imported file, with forward slashes. */
  readonly to: string;
  readonly typeOnly: boolean;
}

export type ImportGraph = ReadonlyMap<string, readonly ImportEdge[]>;

const skippedFolders = new Set(['node_modules', '.git', 'dist', '.bazaary', 'results']);

function sourceFiles(root: string, folder: string, out: string[]): string[] {
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    if (skippedFolders.has(entry.name)) continue;
    const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
    if (entry.isDirectory()) sourceFiles(root, path, out);
    else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false; // `import './x.ts'` runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

/** The project files one source text imports, resolved against its own path. */
export function importsOf(path: string, text: string): ImportEdge[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    edges.push({ to: relative('.', join(dirname(path), specifier)).split('\\').join('/'), typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, isTypeOnlyImport(node));
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument !== undefined && ts.isStringLiteral(argument)) add(argument.text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return edges;
}

export function readImportGraph(root: string): ImportGraph {
  const graph = new Map<string, ImportEdge[]>();
  for (const path of sourceFiles(resolve(root), '', [])) graph.set(path, importsOf(path, readFileSync(join(root, path), 'utf8')));
  return graph;
}
