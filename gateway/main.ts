/**
 * `npm start`: parses the configuration, starts Bazaary and its gateway on the services it
 * names (embedded stores when it names none), seeds the demo data on first start, prints the
 * URL and the demo logins, and stops cleanly on SIGINT/SIGTERM.
 */
import { ensureAdmin } from './seed/admin.ts';
import { seedDemo, demoLogins } from './seed/seed.ts';
import { startGateway } from './server.ts';
import { ConfigError, parseConfig } from './app/config.ts';
import { createLogger } from '../runtime/logger.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`bazaary: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const startedAt = performance.now();
  const gateway = await startGateway({ config, logger });
  const system = gateway.system;
  if (config.gateway.seedDemo) {
    const seededAt = performance.now();
    if (await seedDemo(gateway.context)) logger.info({ ms: Math.round(performance.now() - seededAt) }, 'demo data seeded');
  }
  const admin = config.gateway.bootstrapAdmin;
  if (admin !== undefined) {
    const outcome = await ensureAdmin(gateway.context, admin);
    if (outcome === 'email_taken_by_non_admin') logger.error({ email: admin.email }, 'ADMIN_EMAIL belongs to a non-admin account; no admin was made');
    else logger.info({ email: admin.email, outcome }, 'operator account');
  }
  logger.info(
    {
      sql: config.databaseUrl ? 'postgres' : `pglite (${config.dataDir}/pglite)`,
      journal: config.mongoUrl ? 'mongodb' : 'sql',
      actorKinds: system.runtime.kinds(),
      startMs: Math.round(performance.now() - startedAt),
    },
    'bazaary runtime ready',
  );
  const logins = config.gateway.seedDemo ? demoLogins.map((login) => `  ${login.role.padEnd(6)} ${login.email} / ${login.password}`).join('\n') : '';
  process.stdout.write(`\nBazaary is running at ${gateway.url}\n${logins === '' ? '' : `Demo logins:\n${logins}\n`}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    gateway.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`bazaary: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
