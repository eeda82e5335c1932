/**
 * One gateway process for the multi-process tests: starts the real gateway from the environment
 * (the same parseConfig as `npm start`), prints `{"t":"listening","port":…}` on stdout once it
 * serves, logs as JSON lines on stdout, and stops cleanly on SIGTERM. An unhandled rejection is
 * left to crash the process (Node's default), so a test sees it as an exit.
 *   TEST_REDIS_PREFIX       the Redis key prefix of this test run
 *   TEST_PROCESSOR_POLL_MS  how often the event processor polls for entries journaled elsewhere
 */
import { startGateway } from '../../server.ts';
import { parseConfig } from '../../app/config.ts';
import { createLogger } from '../../../runtime/logger.ts';

const config = parseConfig(process.env);
const logger = createLogger(config.logLevel);
const pollMs = Number(process.env['TEST_PROCESSOR_POLL_MS'] ?? '');
const redisPrefix = process.env['TEST_REDIS_PREFIX'];
const gateway = await startGateway({
  config,
  logger,
  ...(Number.isInteger(pollMs) && pollMs > 0 ? { limits: { processorPollMs: pollMs } } : {}),
  ...(redisPrefix === undefined ? {} : { redisPrefix }),
});
process.stdout.write(`${JSON.stringify({ t: 'listening', port: gateway.port })}\n`);

process.once('SIGTERM', () => {
  gateway.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
