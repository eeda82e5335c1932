/**
 * Short names for the utility classes in the built storefront (issue #15's JS budget: 0.74 KiB
 * gzipped of JS, 0.19 of CSS). The home page's `class="m-0 text-sm font-semibold uppercase
 * tracking-widest text-accent"` ships as `class="_a text-sm font-semibold _ac _ak _as"`, and the
 * CSS rules carry the same short names. The rules, their order and so the cascade stay UnoCSS's:
 * only class names change, the same way in the markup and in the CSS.
 *
 * Only a name that appears nowhere but in static `class="…"` JSX attributes is shortened, since
 * those are the only places the build rewrites. A name also written in a dynamic class expression
 * (`class={`block ${…}`}`), a `classList`, a constant, styles.css, index.html or a browser test
 * keeps its name, as does one that a template literal could build (`tone-${tone}`) and the
 * design-language shortcuts (`btn-premium`, `card-premium`…), which tests and people look for.
 * The dev server keeps every name; `npm run build:storefront` shortens.
 *
 * UnoCSS's own transformerCompileClass was measured first: it saves 1.2 KiB of JS but adds 3.6 KiB
 * of CSS, because each class list it compiles becomes a rule set of its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeSelector } from 'unocss';
import type { Plugin } from 'vite';

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** A JSX attribute `class="…"` with a plain string value: the places the build rewrites. */
const staticClassAttribute = /(?<![\w-])class="([^"]*)"/g;

/** Every file that could name a class: the storefront's source (src/, index.html) and its browser tests. */
export function readStorefrontSources(storefrontDir: string): SourceFile[] {
  const files: SourceFile[] = [{ path: join(storefrontDir, 'index.html'), text: readFileSync(join(storefrontDir, 'index.html'), 'utf8') }];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(tsx?|css|html|md)$/.test(entry.name)) files.push({ path, text: readFileSync(path, 'utf8') });
    }
  };
  visit(join(storefrontDir, 'src'));
  visit(join(storefrontDir, 'e2e'));
  return files;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function countOf(counts: Map<string, number>, name: string): number {
  return counts.get(name) ?? 0;
}

/** `_a`, `_b`, … `_z`, `_aa`, `_ab`, …: no UnoCSS rule starts with an underscore. */
function shortName(index: number): string {
  let name = '';
  for (let rest = index; ; rest = Math.floor(rest / 26) - 1) {
    name = String.fromCharCode(97 + (rest % 26)) + name;
    if (rest < 26) return `_${name}`;
  }
}

function wordPattern(word: string): RegExp {
  return new RegExp(`(?<![\\w-])${escapeRegExp(word)}(?![\\w-])`, 'g');
}

function usesIn(sources: readonly SourceFile[], word: string): number {
  const pattern = wordPattern(word);
  return sources.reduce((total, source) => total + (source.text.match(pattern)?.length ?? 0), 0);
}

/**
 * Long name → short name for every class that only static `class="…"` attributes use, the most
 * used first so they get the shortest names. Deterministic: the same sources give the same map.
 */
export function planShortClassNames(sources: readonly SourceFile[], keep: ReadonlySet<string>): Map<string, string> {
  const staticUses = new Map<string, number>();
  for (const source of sources) {
    if (!source.path.endsWith('.tsx')) continue;
    for (const match of source.text.matchAll(staticClassAttribute)) {
      for (const name of (match[1] ?? '').split(/\s+/).filter(Boolean)) staticUses.set(name, countOf(staticUses, name) + 1);
    }
  }
  // Fragments a template literal or a `+` completes at run time: `tone-${tone}`, `${size}-4`, 'bg-' + tone.
  const builtPrefixes = sources.flatMap((source) => [...source.text.matchAll(/([\w:-]+)(?:\$\{|['"`]\s*\+)/g)].map((match) => match[1] ?? ''));
  const builtSuffixes = sources.flatMap((source) => [...source.text.matchAll(/\}([\w:-]+)/g)].map((match) => match[1] ?? ''));
  const candidates = [...staticUses].filter(([name, uses]) => {
    if (keep.has(name)) return false;
    if (builtPrefixes.some((prefix) => name.startsWith(prefix)) || builtSuffixes.some((suffix) => name.endsWith(suffix))) return false;
    // Every use anywhere (code, comments, CSS, HTML, tests) must be one of the static ones counted above.
    return usesIn(sources, name) === uses;
  });
  candidates.sort(([nameA, usesA], [nameB, usesB]) => usesB - usesA || (nameA < nameB ? -1 : 1));
  const names = new Map<string, string>();
  let index = 0;
  for (const [name] of candidates) {
    // A short name the sources already use (a variable `_id`, say) is skipped, so each stays unique.
    while (usesIn(sources, shortName(index)) > 0) index += 1;
    names.set(name, shortName(index));
    index += 1;
  }
  return names;
}

/** A class list with its long names replaced ("m-0 btn-ghost" → "_c btn-ghost"). */
export function shortenClassList(classList: string, names: ReadonlyMap<string, string>): string {
  return classList.replace(/[^\s]+/g, (name) => names.get(name) ?? name);
}

/**
 * Renames the classes in the selectors of CSS as UnoCSS writes it (`.hover\:text-ink:hover{…}` →
 * `._x:hover{…}`), declarations untouched. Run on UnoCSS's sorted output, it keeps every rule
 * where it was: renaming before the sort would reorder rules that UnoCSS sorts by selector.
 */
export function cssRenamer(names: ReadonlyMap<string, string>): (css: string) => string {
  if (names.size === 0) return (css) => css;
  const shortByEscaped = new Map([...names].map(([name, short]) => [escapeSelector(name), short]));
  // Longest first, so `.p-3\.5` is not read as `.p-3` followed by something else.
  const alternatives = [...shortByEscaped.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const classes = new RegExp(`\\.(${alternatives.join('|')})(?![\\w\\\\-])`, 'g');
  const renameSelector = (selector: string): string => selector.replace(classes, (_match, escaped: string) => `.${shortByEscaped.get(escaped) ?? escaped}`);
  // A selector list is what stands between the start, `{` or `}` and the next `{`; at-rules keep theirs.
  return (css) => css.replace(/(?<=^|[{}])[^{}]+(?=\{)/g, (prelude) => (prelude.trimStart().startsWith('@') ? prelude : renameSelector(prelude)));
}

/** The long names still used as class selectors in built CSS: each is a class the markup lost. */
export function longNamesLeftIn(css: string, names: ReadonlyMap<string, string>): string[] {
  const used = new Set([...css.matchAll(/\.((?:\\.|[\w-])+)/g)].map((match) => (match[1] ?? '').replace(/\\/g, '')));
  return [...names.keys()].filter((name) => used.has(name));
}

/** The little of Babel's node paths the plugin below reads. */
interface LiteralPath {
  readonly node: { value?: unknown; extra?: unknown };
  readonly parent: { readonly type: string; readonly name?: { readonly name?: unknown } };
  buildCodeFrameError(message: string): Error;
}

interface BabelPlugin {
  readonly visitor: { readonly Program: (path: { traverse(visitor: Record<string, (path: LiteralPath) => void>): void }) => void };
}

/**
 * A Babel plugin (run before Solid's JSX transform) that shortens the names in every static
 * `class="…"` attribute. It walks the whole file on entry, because Solid's transform replaces each
 * JSX tree as soon as it meets it. A shortened name in any other string (which the planner's
 * text search could have taken for an attribute) stops the build, since that string would keep
 * the long name at run time.
 */
export function shortClassNamesBabelPlugin(names: ReadonlyMap<string, string>): BabelPlugin {
  const anyName = new RegExp(`(?<![\\w-])(?:${[...names.keys()].map(escapeRegExp).join('|')})(?![\\w-])`);
  const refuseLongName = (path: LiteralPath, text: unknown): void => {
    const found = names.size > 0 && typeof text === 'string' ? anyName.exec(text) : null;
    if (found !== null) throw path.buildCodeFrameError(`"${found[0]}" is shortened in static class attributes but written here too; see storefront/short-class-names.ts`);
  };
  return {
    visitor: {
      Program(path) {
        path.traverse({
          StringLiteral(literal) {
            if (literal.parent.type !== 'JSXAttribute' || literal.parent.name?.name !== 'class') return refuseLongName(literal, literal.node.value);
            if (typeof literal.node.value !== 'string') return;
            literal.node.value = shortenClassList(literal.node.value, names);
            // Without this the printer would reprint the original text (extra.raw).
            literal.node.extra = undefined;
          },
          TemplateElement(element) {
            refuseLongName(element, (element.node.value as { cooked?: unknown } | undefined)?.cooked);
          },
        });
      },
    },
  };
}

/** Fails the build if a shortened class kept its long name in the built CSS. */
export function checkShortClassNames(names: ReadonlyMap<string, string>): Plugin {
  return {
    name: 'bazaary:check-short-class-names',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const asset of Object.values(bundle)) {
        if (asset.type !== 'asset' || !asset.fileName.endsWith('.css')) continue;
        const left = longNamesLeftIn(String(asset.source), names);
        if (left.length > 0) this.error(`${asset.fileName} still names ${left.join(' ')}, which the markup calls by a short name now`);
      }
    },
  };
}
