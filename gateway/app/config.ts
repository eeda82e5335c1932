/**
 * Configuration, parsed once at start with valibot (DESIGN.md §6). Every real service is
 * switched on by its URL; with none set, Bazaary runs embedded. A bad value stops the start
 * with a message naming the variable.
 */
import { hostname } from 'node:os';
import * as v from 'valibot';
import { parseCron } from '../../actors/analytics/cron.ts';
import { parseDurationMs } from '../../runtime/duration.ts';
import { limits } from '../../runtime/limits.ts';
import { defaultPools, type DatabasePools } from '../../persistence/adapters/db-pools.ts';
import { parseProxyEntry } from '../client-address.ts';

const optionalUrl = (protocols: readonly string[]) =>
  v.optional(
    v.pipe(
      v.string(),
      v.url('must be a URL'),
      v.check((text) => protocols.some((protocol) => text.startsWith(`${protocol}:`)), `must start with ${protocols.join(': or ')}:`),
    ),
  );

const integerText = (min: number, max: number, fallback: number) =>
  v.pipe(
    v.optional(v.string(), String(fallback)),
    v.regex(/^\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

const duration = (fallback: string) =>
  v.pipe(
    v.optional(v.string(), fallback),
    v.check((text) => parseDurationMs(text) !== null, 'must be a duration such as 7d, 36h, 15m, 30s or 250ms'),
    v.transform((text) => parseDurationMs(text) ?? 0),
  );

const booleanText = (fallback: boolean) =>
  v.pipe(
    v.optional(v.picklist(['true', 'false', '1', '0'], 'must be true or false'), fallback ? 'true' : 'false'),
    v.transform((text) => text === 'true' || text === '1'),
  );

/** A comma-separated list; spaces around the commas are allowed. */
const listItems = (text: string) => text.split(',').map((item) => item.trim());

const proxyList = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const bad = listItems(dataset.value).find((item) => parseProxyEntry(item) === null);
    if (bad !== undefined) addIssue({ message: `must be a comma-separated list of IP addresses or CIDR ranges (such as 10.0.0.5, 172.16.0.0/12, fd00::/8); ${JSON.stringify(bad)} is neither` });
  }),
  v.transform(listItems),
);

const EnvSchema = v.object({
  LOG_LEVEL: v.optional(
    v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'must be one of fatal, error, warn, info, debug, trace, silent'),
    'info',
  ),
  DATA_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), './.bazaary'),
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  /** PostgreSQL connections of the runtime's pool and of the gateway's (db-pools.ts says why
   *  the runtime's is small). */
  DATABASE_POOL: integerText(1, 100, defaultPools.runtime),
  DATABASE_GATEWAY_POOL: integerText(1, 100, defaultPools.gateway),
  MONGO_URL: optionalUrl(['mongodb', 'mongodb+srv']),
  MONGO_DB: v.optional(v.pipe(v.string(), v.regex(/^[\w-]{1,63}$/, 'must be a MongoDB database name')), 'bazaary'),
  JOURNAL_BATCHING: booleanText(true),
  JOURNAL_MAX_BATCH: integerText(1, 10_000, limits.journalMaxBatch),
  JOURNAL_MAX_WAIT_MS: integerText(0, 1_000, limits.journalMaxWaitMs),
  SNAPSHOT_EVERY: integerText(1, 1_000_000, limits.snapshotEvery),
  PASSIVATE_AFTER: duration('60s'),
  PLATFORM_FEE_BPS: integerText(0, 10_000, 0),
  ESCROW_RELEASE_AFTER: duration('7d'),
  SHIP_BY_WINDOW: duration('3d'),
  STEP_RETRY_AFTER: duration('30s'),
  PORT: integerText(0, 65_535, 3000),
  HOST: v.optional(v.pipe(v.string(), v.minLength(1)), '0.0.0.0'),
  PUBLIC_URL: optionalUrl(['http', 'https']),
  /** HS256 key for the access tokens. Embedded mode generates one into DATA_DIR when unset. */
  JWT_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))),
  CORS_ORIGINS: v.optional(v.pipe(v.string(), v.regex(/^(https?:\/\/[^,\s]+)(,https?:\/\/[^,\s]+)*$/, 'must be a comma-separated list of http(s) origins')), 'http://localhost:3000,http://localhost:5173'),
  COOKIE_SECURE: booleanText(false),
  /** The load balancers and reverse proxies whose X-Forwarded-For is believed (gateway/client-address.ts).
   *  Unset, nobody's: the socket's peer is the client. */
  TRUSTED_PROXIES: v.optional(proxyList),
  /** Accounts one IP may create per hour (429 beyond it); load tests that register many users raise it. */
  REGISTRATIONS_PER_HOUR: integerText(1, 1_000_000, 10),
  /** Sign-in attempts one IP may make per minute (429 beyond it); browser test suites that sign in often raise it. */
  LOGINS_PER_MINUTE: integerText(1, 1_000_000, 5),
  MAX_BODY_BYTES: integerText(1_024, 64 * 1024 * 1024, 1024 * 1024),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  MEILI_URL: optionalUrl(['http', 'https']),
  MEILI_KEY: v.optional(v.string()),
  S3_ENDPOINT: optionalUrl(['http', 'https']),
  S3_ACCESS_KEY: v.optional(v.string()),
  S3_SECRET_KEY: v.optional(v.string()),
  S3_BUCKET: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')), 'bazaary'),
  SEED_DEMO: booleanText(true),
  /** An operator account ensured at every start (both or neither): production has no demo admin. */
  ADMIN_EMAIL: v.optional(v.pipe(v.string(), v.trim(), v.toLowerCase(), v.email('must be an email address'))),
  ADMIN_PASSWORD: v.optional(v.pipe(v.string(), v.minLength(12, 'must be at least 12 characters'), v.maxLength(256))),
  STOREFRONT_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), './storefront/dist'),
  /** How long a hot product read is cached (Redis when REDIS_URL is set, else in process); 0 turns it off. */
  PRODUCT_CACHE_TTL: duration('5s'),
  /** Serves /metrics on this port only (bind it to a private network); unset, /metrics needs an admin token. */
  METRICS_PORT: v.optional(integerText(1, 65_535, 9464)),
  /** Images one seller may hold over all its products (each up to 5 MiB); uploads beyond it answer 422 upload_quota_exceeded. */
  UPLOAD_QUOTA_IMAGES: integerText(1, 1_000_000, 500),
  /** Mail is written to the outbox always, and also sent over SMTP when this is set (issue #6). */
  SMTP_URL: optionalUrl(['smtp', 'smtps']),
  MAIL_FROM: v.optional(v.pipe(v.string(), v.minLength(3)), 'Bazaary <no-reply@bazaary.dev>'),
  /** Turns cluster mode on (issue #16): this node's name in the lease table. Needs DATABASE_URL. */
  CLUSTER_NODE_ID: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9][\w.-]{0,62}$/, 'must be 1-63 letters, digits, dots, dashes or underscores'))),
  /** Shards keys hash to; fixed for the life of a cluster (changing it moves most keys). */
  CLUSTER_SHARDS: integerText(1, 65_536, 256),
  /** How long a shard lease lasts without renewal: a dead node's keys move after about this. */
  CLUSTER_LEASE_TTL_MS: integerText(100, 600_000, 5_000),
  /** Where other nodes reach this one's internal endpoint (forwarding); defaults to
   *  http://<hostname>:<CLUSTER_PORT>. */
  CLUSTER_ADDRESS: optionalUrl(['http', 'https']),
  /** The internal endpoint's own port (gateway/cluster/): forwards from other nodes, nothing else.
   *  Bind it to a private network; every request must also carry CLUSTER_SECRET. */
  CLUSTER_PORT: integerText(1, 65_535, 3001),
  /** Shared by every node of a cluster; a forward without it is refused. Required in cluster mode. */
  CLUSTER_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))),
  /** When the daily seller analytics run, as a five-field cron expression in UTC. */
  ANALYTICS_CRON: v.optional(
    v.pipe(v.string(), v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const parsed = parseCron(dataset.value);
      if (!parsed.ok) addIssue({ message: `must be a five-field cron expression: ${parsed.message}` });
    })),
    '0 0 * * *',
  ),
});

export interface Config {
  readonly logLevel: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** PostgreSQL connections per pool (DATABASE_POOL, DATABASE_GATEWAY_POOL). */
  readonly databasePools: DatabasePools;
  readonly mongoUrl: string | undefined;
  readonly mongoDb: string;
  readonly journal: { readonly batching: boolean; readonly maxBatch: number; readonly maxWaitMs: number };
  readonly snapshotEvery: number;
  readonly passivateAfterMs: number;
  readonly orders: {
    readonly platformFeeBps: number;
    readonly releaseAfterMs: number;
    readonly shipByMs: number;
    readonly stepRetryMs: number;
  };
  readonly mail: { readonly smtpUrl: string | undefined; readonly from: string };
  readonly analytics: { readonly cron: string };
  /** Set when CLUSTER_NODE_ID is: this process is one node of several on one PostgreSQL. */
  readonly cluster: ClusterConfig | undefined;
  readonly gateway: GatewayConfig;
}

export interface ClusterConfig {
  readonly nodeId: string;
  readonly shardCount: number;
  readonly leaseTtlMs: number;
  /** Where other nodes reach this node's internal endpoint. */
  readonly address: string;
  /** The internal endpoint listens here (on HOST). */
  readonly internalPort: number;
  /** Every forward carries it; the internal endpoint refuses a request without it. */
  readonly secret: string;
}

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  /** Where browsers reach us; printed at start. Defaults to http://localhost:PORT. */
  readonly publicUrl: string | undefined;
  readonly jwtSecret: string | undefined;
  readonly corsOrigins: readonly string[];
  /** Sets `Secure` on the cookie; turn on behind https. */
  readonly cookieSecure: boolean;
  /** Addresses and CIDR ranges of the proxies whose X-Forwarded-For names the client; empty, the
   *  header is ignored and the socket's peer is the client (gateway/client-address.ts). */
  readonly trustedProxies: readonly string[];
  /** Registrations allowed per IP per hour (issue #14). */
  readonly registrationsPerHour: number;
  /** Sign-in attempts allowed per IP per minute. */
  readonly loginsPerMinute: number;
  readonly maxBodyBytes: number;
  readonly redisUrl: string | undefined;
  readonly meili: { readonly url: string; readonly key: string | undefined } | undefined;
  readonly s3: { readonly endpoint: string; readonly accessKey: string; readonly secretKey: string; readonly bucket: string } | undefined;
  readonly seedDemo: boolean;
  /** Set by ADMIN_EMAIL + ADMIN_PASSWORD: the operator account made at start when missing. */
  readonly bootstrapAdmin: { readonly email: string; readonly password: string } | undefined;
  readonly storefrontDir: string;
  readonly productCacheTtlMs: number;
  /** A separate port that serves /metrics to anyone who reaches it; undefined: /metrics is for admins only. */
  readonly metricsPort: number | undefined;
  readonly uploadQuotaImages: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = v.safeParse(EnvSchema, present);
  if (!result.success) {
    const problems = result.issues.map((issue) => {
      const name = issue.path?.map((item) => String(item.key)).join('.') ?? 'environment';
      return `${name} ${issue.message}${issue.input === undefined ? '' : ` (got ${JSON.stringify(issue.input)})`}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const parsed = result.output;
  if ((parsed.ADMIN_EMAIL === undefined) !== (parsed.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(`invalid configuration: ${parsed.ADMIN_EMAIL === undefined ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD'} must be set together with ${parsed.ADMIN_EMAIL === undefined ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'}`);
  }
  return {
    cluster: clusterConfig(parsed),
    logLevel: parsed.LOG_LEVEL,
    dataDir: parsed.DATA_DIR,
    databaseUrl: parsed.DATABASE_URL,
    databasePools: { runtime: parsed.DATABASE_POOL, gateway: parsed.DATABASE_GATEWAY_POOL },
    mongoUrl: parsed.MONGO_URL,
    mongoDb: parsed.MONGO_DB,
    journal: { batching: parsed.JOURNAL_BATCHING, maxBatch: parsed.JOURNAL_MAX_BATCH, maxWaitMs: parsed.JOURNAL_MAX_WAIT_MS },
    snapshotEvery: parsed.SNAPSHOT_EVERY,
    passivateAfterMs: parsed.PASSIVATE_AFTER,
    orders: {
      platformFeeBps: parsed.PLATFORM_FEE_BPS,
      releaseAfterMs: parsed.ESCROW_RELEASE_AFTER,
      shipByMs: parsed.SHIP_BY_WINDOW,
      stepRetryMs: parsed.STEP_RETRY_AFTER,
    },
    mail: { smtpUrl: parsed.SMTP_URL, from: parsed.MAIL_FROM },
    analytics: { cron: parsed.ANALYTICS_CRON },
    gateway: {
      port: parsed.PORT,
      host: parsed.HOST,
      publicUrl: parsed.PUBLIC_URL,
      jwtSecret: parsed.JWT_SECRET,
      corsOrigins: parsed.CORS_ORIGINS.split(','),
      cookieSecure: parsed.COOKIE_SECURE,
      trustedProxies: parsed.TRUSTED_PROXIES ?? [],
      registrationsPerHour: parsed.REGISTRATIONS_PER_HOUR,
      loginsPerMinute: parsed.LOGINS_PER_MINUTE,
      maxBodyBytes: parsed.MAX_BODY_BYTES,
      redisUrl: parsed.REDIS_URL,
      meili: parsed.MEILI_URL === undefined ? undefined : { url: parsed.MEILI_URL, key: parsed.MEILI_KEY },
      s3:
        parsed.S3_ENDPOINT === undefined
          ? undefined
          : {
              endpoint: parsed.S3_ENDPOINT,
              accessKey: parsed.S3_ACCESS_KEY ?? '',
              secretKey: parsed.S3_SECRET_KEY ?? '',
              bucket: parsed.S3_BUCKET,
            },
      seedDemo: parsed.SEED_DEMO,
      bootstrapAdmin: parsed.ADMIN_EMAIL === undefined || parsed.ADMIN_PASSWORD === undefined ? undefined : { email: parsed.ADMIN_EMAIL, password: parsed.ADMIN_PASSWORD },
      storefrontDir: parsed.STOREFRONT_DIR,
      productCacheTtlMs: parsed.PRODUCT_CACHE_TTL,
      metricsPort: parsed.METRICS_PORT,
      uploadQuotaImages: parsed.UPLOAD_QUOTA_IMAGES,
    },
  };
}

function clusterConfig(parsed: v.InferOutput<typeof EnvSchema>): ClusterConfig | undefined {
  if (parsed.CLUSTER_NODE_ID === undefined) return undefined;
  // Leases and the fence live in PostgreSQL; PGlite is one process by nature, and the MongoDB
  // journal cannot honour a fence yet (mongo-journal.ts refuses one).
  if (parsed.DATABASE_URL === undefined) throw new ConfigError('invalid configuration: CLUSTER_NODE_ID needs DATABASE_URL (cluster mode runs on PostgreSQL; embedded PGlite is single-node)');
  if (parsed.MONGO_URL !== undefined) throw new ConfigError('invalid configuration: CLUSTER_NODE_ID cannot be used with MONGO_URL (the MongoDB journal has no shard fence yet)');
  // Forwards run commands as any user: the internal endpoint must never answer without it.
  if (parsed.CLUSTER_SECRET === undefined) throw new ConfigError('invalid configuration: CLUSTER_NODE_ID needs CLUSTER_SECRET (at least 32 characters, the same on every node; it guards the internal forwarding endpoint)');
  return {
    nodeId: parsed.CLUSTER_NODE_ID,
    shardCount: parsed.CLUSTER_SHARDS,
    leaseTtlMs: parsed.CLUSTER_LEASE_TTL_MS,
    address: parsed.CLUSTER_ADDRESS ?? `http://${hostname()}:${parsed.CLUSTER_PORT}`,
    internalPort: parsed.CLUSTER_PORT,
    secret: parsed.CLUSTER_SECRET,
  };
}
