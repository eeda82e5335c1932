/**
 * Splits a SQL script into statements. Migration files hold several statements, but the Db
 * port sends each text as one prepared statement, which PostgreSQL and PGlite both refuse
 * when it holds more than one command.
 *
 * It understands what can hide a `;`: quoted strings (with E'' backslash escapes), quoted
 * identifiers, dollar-quoted bodies (`$$`, `$body$`) and both kinds of comment.
 */
export function splitSqlStatements(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let hasCode = false;
  let index = 0;
  while (index < script.length) {
    const char = script[index];
    const next = script[index + 1];
    const dollarTag = char === '$' ? dollarTagAt(script, index) : null;
    if (char === '-' && next === '-') {
      index = skipPast(script, index, '\n', true);
    } else if (char === '/' && next === '*') {
      index = skipPast(script, index + 2, '*/', false);
    } else if (char === "'") {
      index = skipQuoted(script, index, "'", isEscapeString(script, index));
      hasCode = true;
    } else if (char === '"') {
      index = skipQuoted(script, index, '"', false);
      hasCode = true;
    } else if (dollarTag !== null) {
      index = skipPast(script, index + dollarTag.length, dollarTag, false);
      hasCode = true;
    } else if (char === ';') {
      if (hasCode) statements.push(script.slice(start, index).trim());
      start = index + 1;
      hasCode = false;
      index += 1;
    } else {
      if (char !== undefined && !/\s/.test(char)) hasCode = true;
      index += 1;
    }
  }
  if (hasCode) statements.push(script.slice(start).trim());
  return statements;
}

/** Index just after the next `terminator` from `from`; the end of a trailing line comment may be the script's end. */
function skipPast(script: string, from: number, terminator: string, endOk: boolean): number {
  const found = script.indexOf(terminator, from);
  if (found >= 0) return found + terminator.length;
  if (endOk) return script.length;
  throw new Error(`unterminated ${JSON.stringify(terminator)} in SQL starting at offset ${from}`);
}

function skipQuoted(script: string, open: number, quote: string, backslashEscapes: boolean): number {
  let index = open + 1;
  while (index < script.length) {
    const char = script[index];
    if (backslashEscapes && char === '\\') {
      index += 2;
    } else if (char === quote && script[index + 1] === quote) {
      index += 2; // a doubled quote is the quote character itself
    } else if (char === quote) {
      return index + 1;
    } else {
      index += 1;
    }
  }
  throw new Error(`unterminated ${quote} quote in SQL starting at offset ${open}`);
}

function isEscapeString(script: string, quote: number): boolean {
  const prefix = script[quote - 1];
  return (prefix === 'E' || prefix === 'e') && !isIdentifierChar(script[quote - 2]);
}

/** The `$tag$` opening a dollar-quoted body at `index`, or null for a `$1` parameter or an identifier's `$`. */
function dollarTagAt(script: string, index: number): string | null {
  if (isIdentifierChar(script[index - 1])) return null;
  const match = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(script.slice(index, index + 64));
  return match ? match[0] : null;
}

function isIdentifierChar(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9_$]/.test(char);
}
