import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMigrations } from './migrate.ts';

describe('loadMigrations', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bazaary-migrations-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const dirUrl = () => pathToFileURL(`${dir}/`);

  it('loads the shipped files in order, journal first', async () => {
    const migrations = await loadMigrations();
    expect(migrations.slice(0, 2).map((migration) => migration.fileName)).toEqual(['001_journal.sql', '002_snapshots.sql']);
  });

  it('picks up every NNN_name.sql in version order and ignores other files', async () => {
    await writeFile(join(dir, '010_timers.sql'), 'CREATE TABLE t (x int); CREATE INDEX i ON t (x);');
    await writeFile(join(dir, '002_b.sql'), 'SELECT 1');
    await writeFile(join(dir, 'README.md'), 'not a migration');
    const migrations = await loadMigrations(dirUrl());
    expect(migrations.map((migration) => migration.version)).toEqual(['002', '010']);
    expect(migrations[1]?.statements).toHaveLength(2);
  });

  it('refuses two files with one version', async () => {
    await writeFile(join(dir, '003_a.sql'), 'SELECT 1');
    await writeFile(join(dir, '003_b.sql'), 'SELECT 2');
    await expect(loadMigrations(dirUrl())).rejects.toThrow('share version 003');
  });
});
