/**
 * A strict parser for the YAML subset docker-compose.yml is written in, so the compose test
 * needs no YAML library. Supported: block mappings (`key: value`, `key:` + nested block),
 * block sequences of scalars (`- value`), flow sequences of scalars (`["a", "b"]`), the empty mapping `{}`, plain,
 * 'single' and "double" quoted scalars, full-line and ` #` trailing comments. Anything else
 * (anchors, multi-line scalars, sequences of mappings, tabs) throws, naming the line, so the
 * compose file cannot drift into a shape this parser silently misreads.
 */

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };
export type YamlMap = { [key: string]: YamlValue };

interface Line {
  readonly number: number;
  readonly indent: number;
  readonly text: string;
}

export class YamlSubsetError extends Error {
  override readonly name = 'YamlSubsetError';
}

export function parseComposeYaml(source: string): YamlMap {
  const lines = toLines(source);
  const [value, next] = parseBlock(lines, 0, 0);
  if (next !== lines.length) fail(lines[next]!, 'unexpected indentation');
  if (typeof value === 'string' || Array.isArray(value)) throw new YamlSubsetError('document must be a mapping');
  return value;
}

function toLines(source: string): Line[] {
  const result: Line[] = [];
  source.split('\n').forEach((raw, index) => {
    const number = index + 1;
    if (raw.includes('\t')) throw new YamlSubsetError(`line ${number}: tabs are not allowed`);
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '' || text.trim() === '---') return;
    result.push({ number, indent: text.length - text.trimStart().length, text: text.trim() });
  });
  return result;
}

/** Drops a `#` comment that starts the line or follows a space outside quotes. */
function stripComment(raw: string): string {
  let quote: string | null = null;
  for (let index = 0; index < raw.length; index += 1) {
    const char = raw[index]!;
    if (quote !== null) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '#' && (index === 0 || /\s/.test(raw[index - 1]!))) {
      return raw.slice(0, index);
    }
  }
  return raw;
}

function fail(line: Line, message: string): never {
  throw new YamlSubsetError(`line ${line.number}: ${message}: ${line.text}`);
}

/** Parses the block starting at lines[start], all of whose entries sit at `indent`. */
function parseBlock(lines: Line[], start: number, indent: number): [YamlValue, number] {
  const first = lines[start];
  if (first === undefined || first.indent !== indent) throw new YamlSubsetError(`expected a block at indent ${indent}`);
  return first.text.startsWith('- ') || first.text === '-' ? parseSequence(lines, start, indent) : parseMapping(lines, start, indent);
}

function parseSequence(lines: Line[], start: number, indent: number): [YamlValue[], number] {
  const items: YamlValue[] = [];
  let index = start;
  while (index < lines.length && lines[index]!.indent === indent) {
    const line = lines[index]!;
    if (!line.text.startsWith('- ')) fail(line, 'expected a sequence item');
    const body = line.text.slice(2).trim();
    if (/^[\w.-]+:(\s|$)/.test(body)) fail(line, 'sequences of mappings are not supported');
    items.push(parseScalarOrFlow(body, line));
    index += 1;
  }
  if (index < lines.length && lines[index]!.indent > indent) fail(lines[index]!, 'unexpected indentation');
  return [items, index];
}

function parseMapping(lines: Line[], start: number, indent: number): [YamlMap, number] {
  const map: YamlMap = {};
  let index = start;
  while (index < lines.length && lines[index]!.indent === indent) {
    const line = lines[index]!;
    const match = /^([\w.-]+|"[^"]+"):(?:\s+(.*))?$/.exec(line.text);
    if (match === null) fail(line, 'expected `key: value`');
    const key = match[1]!.replace(/^"|"$/g, '');
    if (Object.hasOwn(map, key)) fail(line, `duplicate key ${key}`);
    const rest = match[2];
    index += 1;
    if (rest !== undefined && rest !== '') {
      map[key] = parseScalarOrFlow(rest, line);
      continue;
    }
    const child = lines[index];
    if (child === undefined || child.indent <= indent) fail(line, `key ${key} has no value`);
    const [value, next] = parseBlock(lines, index, child.indent);
    map[key] = value;
    index = next;
  }
  if (index < lines.length && lines[index]!.indent > indent) fail(lines[index]!, 'unexpected indentation');
  return [map, index];
}

function parseScalarOrFlow(text: string, line: Line): YamlValue {
  if (text === '{}') return {};
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) fail(line, 'flow sequences must close on the same line');
    return splitFlow(text.slice(1, -1), line).map((item) => parseScalar(item, line));
  }
  return parseScalar(text, line);
}

function splitFlow(inner: string, line: Line): string[] {
  const items: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (let index = 0; index < inner.length; index += 1) {
    const char = inner[index]!;
    if (quote !== null) {
      if (char === '\\' && quote === '"') {
        current += char + (inner[index + 1] ?? '');
        index += 1;
        continue;
      }
      if (char === quote) quote = null;
      current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      current += char;
    } else if (char === ',') {
      items.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  if (quote !== null) fail(line, 'unterminated quote');
  if (current.trim() !== '') items.push(current.trim());
  return items;
}

function parseScalar(text: string, line: Line): string {
  if (text.startsWith('"')) {
    if (text.length < 2 || !text.endsWith('"')) fail(line, 'unterminated double quote');
    return text.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  if (text.startsWith("'")) {
    if (text.length < 2 || !text.endsWith("'")) fail(line, 'unterminated single quote');
    return text.slice(1, -1).replaceAll("''", "'");
  }
  if (/^[&*!|>{[]/.test(text) || text.includes(': ')) fail(line, 'unsupported YAML feature (quote the value)');
  return text;
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
    if (operator?.endsWith('?')) throw new YamlSubsetError(`variable ${name} is required: ${argument ?? ''}`);
    if (operator?.endsWith('-')) return argument ?? '';
    throw new YamlSubsetError(`variable ${name} is not set (${whole})`);
  });
}

/** Parses a dotenv file: `NAME=value` lines, `#` comments, optional surrounding quotes. */
export function parseDotenv(source: string): Record<string, string> {
  const env: Record<string, string> = {};
  source.split('\n').forEach((raw, index) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(text);
    if (match === null) throw new YamlSubsetError(`.env line ${index + 1}: expected NAME=value`);
    const value = match[2]!.trim();
    env[match[1]!] = /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
  });
  return env;
}
