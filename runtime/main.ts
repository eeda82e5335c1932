/**
 * `npm start`: parses the configuration, starts Bazaary on the services it names (embedded
 * stores when it names none), and stops cleanly on SIGINT/SIGTERM.
 */
import { ConfigError, parseConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startSystem } from './system.ts';

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
  const system = await startSystem(config, { logger });
  logger.info(
    {
      sql: config.databaseUrl ? 'postgres' : `pglite (${config.dataDir}/pglite)`,
      journal: config.mongoUrl ? 'mongodb' : 'sql',
      actorKinds: system.runtime.kinds(),
      startMs: Math.round(performance.now() - startedAt),
    },
    'bazaary runtime ready',
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    system.stop().then(
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
