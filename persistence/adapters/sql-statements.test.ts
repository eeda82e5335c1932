import { describe, expect, it } from 'vitest';
import { splitSqlStatements } from './sql-statements.ts';

describe('splitSqlStatements', () => {
  it('splits on semicolons and drops empty and comment-only statements', () => {
    expect(splitSqlStatements('CREATE TABLE a (x int);\n\n-- only a comment;\n;SELECT 1')).toEqual([
      'CREATE TABLE a (x int)',
      'SELECT 1',
    ]);
  });

  it('keeps semicolons inside strings, identifiers, comments and dollar quotes', () => {
    const script = [
      `INSERT INTO t VALUES ('a;b', 'it''s;', E'back\\';slash')`,
      `SELECT "odd;name" FROM t /* block; comment */ WHERE x = $1`,
      `CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql`,
      `DO $$ BEGIN PERFORM 1; END $$`,
    ];
    expect(splitSqlStatements(`${script.join(';\n')};`)).toEqual(script);
  });

  it('refuses an unterminated quote', () => {
    expect(() => splitSqlStatements("SELECT 'open")).toThrow('unterminated');
  });
});
