/**
 * Rebuilds the read models from the journal (rebuild.ts), then audits the ledger from both the
 * journal and the rebuilt tables, and prints both audits as JSON on stdout.
 *
 *   tsx gateway/app/rebuild-cli.ts [--page-size N] [--no-audit]
 *
 * The stores are the ones Bazaary itself would open (DATABASE_URL, MONGO_URL, DATA_DIR, as
 * gateway/app/config.ts parses them; embedded PGlite in ./.bazaary by default). Stop Bazaary first:
 * the embedded data directory must never be opened by two processes at once.
 *
 * Exit codes: 0 rebuilt (and audited clean), 1 failed, 2 rebuilt but an audit is not ok.
 */
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig, type Config } from './config.ts';
import type { Db } from '../../persistence/adapters/db.ts';
import { openStores } from '../../persistence/adapters/open-stores.ts';
import { auditLedger, auditReadModels } from '../../persistence/projections/readmodels/audit.ts';
import { createProgressBar } from '../../persistence/projections/readmodels/progress.ts';
import { defaultRebuildPageSize, rebuildReadModels } from '../../persistence/projections/readmodels/rebuild.ts';

const usage = 'usage: rebuild-cli [--page-size N] [--no-audit]';

interface Arguments {
  readonly pageSize: number;
  readonly audit: boolean;
}

function parseArguments(args: readonly string[]): Arguments {
  const { values } = parseArgs({
    args: [...args],
    options: {
      'page-size': { type: 'string' },
      'no-audit': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const pageText = values['page-size'] ?? String(defaultRebuildPageSize);
  const pageSize = Number(pageText);
  if (!/^\d+$/.test(pageText) || pageSize < 1 || pageSize > 100_000) {
    throw new ConfigError(`--page-size must be a whole number from 1 to 100000 (got ${JSON.stringify(pageText)})`);
  }
  return { pageSize, audit: !values['no-audit'] };
}

async function main(): Promise<number> {
  let args: Arguments;
  let config: Config;
  try {
    args = parseArguments(process.argv.slice(2));
    config = parseConfig(process.env);
  } catch (error) {
    process.stderr.write(`rebuild-cli: ${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    return 1;
  }
  const where = config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}/pglite`;
  process.stderr.write(`rebuild-cli: rebuilding read models in ${where} from the ${config.mongoUrl ? 'MongoDB' : 'SQL'} journal\n`);
  const stores = await openStores({
    databaseUrl: config.databaseUrl,
    mongoUrl: config.mongoUrl,
    mongoDb: config.mongoDb,
    dataDir: config.dataDir,
    journal: config.journal,
  });
  try {
    const bar = createProgressBar(process.stderr);
    let last = { done: 0, total: null as number | null, elapsedMs: 0 };
    const result = await rebuildReadModels(stores.db, stores.journal, {
      pageSize: args.pageSize,
      onProgress: (progress) => {
        last = progress;
        bar.update(progress);
      },
      // The journal lives in the SQL database unless MONGO_URL moved it: one count then.
      ...(config.mongoUrl ? {} : { countEntries: () => countSqlJournal(stores.db) }),
    });
    bar.finish(last);
    process.stderr.write(`rebuild-cli: replayed ${result.entries} entries in ${(result.elapsedMs / 1_000).toFixed(1)} s\n`);
    if (!args.audit) return 0;
    const journalAudit = await auditLedger(stores.journal);
    const readModelAudit = await auditReadModels(stores.db, { journalAudit });
    process.stdout.write(`${JSON.stringify({ journal: journalAudit, readModels: readModelAudit }, null, 2)}\n`);
    const ok = journalAudit.ok && readModelAudit.ok;
    process.stderr.write(`rebuild-cli: ledger audit ${ok ? 'ok' : 'FAILED'} (drift ${journalAudit.totals.driftMinor} minor units)\n`);
    return ok ? 0 : 2;
  } finally {
    await stores.close();
  }
}

async function countSqlJournal(db: Db): Promise<number> {
  const rows = await db.query<{ entries: number }>('SELECT count(*) AS entries FROM journal');
  return rows[0]?.entries ?? 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`\nrebuild-cli: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
