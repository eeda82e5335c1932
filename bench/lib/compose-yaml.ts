/**
 * Reading docker-compose.yml and .env.example for the compose test (bench/compose.test.ts). The
 * YAML itself is read by the `yaml` package, with its failsafe schema: every scalar stays a string,
 * as compose treats them before it interpolates, so `8080` and "8080" read the same. Any YAML
 * error (a duplicate key, tab indentation, a misaligned item) throws, naming the line, so the
 * compose file cannot drift into a shape that is silently misread. What compose adds on top of
 * YAML (variable interpolation, the dotenv file) is its own and lives here.
 */
import { isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml';

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };
export type YamlMap = { [key: string]: YamlValue };

export class ComposeFileError extends Error {
  override readonly name = 'ComposeFileError';
}

export function parseComposeYaml(source: string): YamlMap {
  const document = parseDocument(source, { schema: 'failsafe', uniqueKeys: true, strict: true, prettyErrors: true });
  const [error] = document.errors;
  if (error !== undefined) throw new ComposeFileError(error.message);
  const value: unknown = document.toJS();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ComposeFileError('the document must be a mapping');
  // The failsafe schema yields only strings, sequences and mappings, which is what YamlValue says.
  return value as YamlMap;
}

/** Docker Compose interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?msg}`; `$$` is a literal `$`. */
const INTERPOLATION = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

export function variablesUsed(text: string): string[] {
  return [...text.matchAll(INTERPOLATION)].flatMap((match) => (match[1] === undefined ? [] : [match[1]]));
}

export function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(INTERPOLATION, (whole, name: string | undefined, operator: string | undefined, argument: string | undefined) => {
    if (name === undefined) return '$';
    const value = env[name];
    const missing = operator?.startsWith(':') ? value === undefined || value === '' : value === undefined;
    if (!missing) return value!;
    if (operator?.endsWith('?')) throw new ComposeFileError(`variable ${name} is required: ${argument ?? ''}`);
    if (operator?.endsWith('-')) return argument ?? '';
    throw new ComposeFileError(`variable ${name} is not set (${whole})`);
  });
}

/** Parses a dotenv file: `NAME=value` lines, `#` comments, optional surrounding quotes. */
export function parseDotenv(source: string): Record<string, string> {
  const env: Record<string, string> = {};
  source.split('\n').forEach((raw, index) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(text);
    if (match === null) throw new ComposeFileError(`.env line ${index + 1}: expected NAME=value`);
    const value = match[2]!.trim();
    env[match[1]!] = /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
  });
  return env;
}

/** What an override file's `!reset` (drop the value) and `!override` (replace, don't merge) tags mark. */
const resetMark = Symbol('reset');
class Replacement {
  constructor(readonly value: OverrideValue) {}
}
type OverrideValue = string | typeof resetMark | Replacement | OverrideValue[] | { [key: string]: OverrideValue };

/** Keys whose sequences an override replaces; compose merges other sequences (ports, expose, volumes…) by union. */
const replacedSequences = new Set(['command', 'entrypoint', 'test']);

function overrideValueOf(node: unknown): OverrideValue {
  const tag = isNode(node) ? node.tag : undefined;
  const plain = (): OverrideValue => {
    if (isMap(node)) return Object.fromEntries(node.items.map((pair) => [String(isScalar(pair.key) ? pair.key.value : pair.key), overrideValueOf(pair.value)]));
    if (isSeq(node)) return node.items.map(overrideValueOf);
    if (isScalar(node)) return String(node.value);
    throw new ComposeFileError(`unexpected YAML node ${String(node)}`);
  };
  if (tag === '!reset') return resetMark;
  if (tag === '!override') return new Replacement(plain());
  if (tag !== undefined) throw new ComposeFileError(`unknown tag ${tag}`);
  return plain();
}

function mergeValue(key: string, base: YamlValue | undefined, override: OverrideValue): YamlValue | undefined {
  if (override === resetMark) return undefined;
  if (override instanceof Replacement) return mergeValue(key, undefined, override.value);
  if (Array.isArray(override)) {
    const items = override.map((item) => mergeValue(key, undefined, item)).filter((item): item is YamlValue => item !== undefined);
    if (!Array.isArray(base) || replacedSequences.has(key)) return items;
    return [...base, ...items.filter((item) => !base.some((existing) => JSON.stringify(existing) === JSON.stringify(item)))];
  }
  if (typeof override === 'string') return override;
  const merged: YamlMap = typeof base === 'object' && !Array.isArray(base) ? { ...base } : {};
  for (const [name, value] of Object.entries(override as { [key: string]: OverrideValue })) {
    const next = mergeValue(name, merged[name], value);
    if (next === undefined) delete merged[name];
    else merged[name] = next;
  }
  return merged;
}

/**
 * `docker compose -f base -f override`: the override merged into the base as compose merges
 * files (mappings key by key, sequences by union except commands, `!reset` and `!override`),
 * every scalar a string as in `parseComposeYaml`.
 */
export function mergeComposeOverride(base: YamlMap, overrideSource: string): YamlMap {
  const document = parseDocument(overrideSource, { schema: 'failsafe', uniqueKeys: true, strict: true, prettyErrors: true, keepSourceTokens: false });
  const [error] = document.errors;
  if (error !== undefined) throw new ComposeFileError(error.message);
  const merged = mergeValue('', base, overrideValueOf(document.contents));
  if (typeof merged !== 'object' || Array.isArray(merged)) throw new ComposeFileError('the override must be a mapping');
  return merged;
}
