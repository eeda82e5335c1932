/**
 * Docker does not run on this machine, so this test reads docker-compose.yml, .env.example and
 * the Dockerfile and checks that the stack would start the app the way gateway/app/config.ts
 * expects: every variable provided and valid, every backing service present, healthchecked and
 * waited for, and every URL and port pointing at the right service. Each check returns a list
 * of problems, so the mutation tests below can show that a removed piece is caught.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../gateway/app/config.ts';
import { interpolate, parseComposeYaml, parseDotenv, variablesUsed, type YamlMap, type YamlValue } from './lib/compose-yaml.ts';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** Variables the app needs in production; config.ts leaves them undefined (embedded mode) otherwise. */
const REQUIRED_APP_VARS = [
  'DATABASE_URL', 'MONGO_URL', 'REDIS_URL', 'MEILI_URL', 'MEILI_KEY',
  'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET', 'JWT_SECRET',
] as const;
const BACKING_SERVICES = ['postgres', 'mongo', 'redis', 'meilisearch', 'minio'] as const;
/** Which URL variable reaches which service, with the port its scheme implies when none is written. */
const SERVICE_URLS = [
  { variable: 'DATABASE_URL', service: 'postgres', defaultPort: '5432' },
  { variable: 'MONGO_URL', service: 'mongo', defaultPort: '27017' },
  { variable: 'REDIS_URL', service: 'redis', defaultPort: '6379' },
  { variable: 'MEILI_URL', service: 'meilisearch', defaultPort: '80' },
  { variable: 'S3_ENDPOINT', service: 'minio', defaultPort: '80' },
] as const;

interface Stack {
  readonly compose: YamlMap;
  readonly composeText: string;
  readonly env: Record<string, string>;
  readonly dockerfile: string;
}

/** EnvSchema is private to config.ts, so its keys are read from the source: `  NAME: ...` lines inside it. */
function envSchemaKeys(): Set<string> {
  const source = read('gateway/app/config.ts');
  const body = /const EnvSchema = v\.object\(\{([\s\S]*?)\n\}\);/.exec(source)?.[1];
  if (body === undefined) throw new Error('EnvSchema not found in gateway/app/config.ts');
  return new Set([...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1]!));
}

const isMap = (value: YamlValue | undefined): value is YamlMap => typeof value === 'object' && !Array.isArray(value);
const mapAt = (value: YamlValue | undefined): YamlMap => (isMap(value) ? value : {});
const listAt = (value: YamlValue | undefined): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
const services = (stack: Stack) => mapAt(stack.compose.services);
const appEnvironment = (stack: Stack) => mapAt(mapAt(services(stack).app).environment);

/** The app's environment after compose interpolation with .env.example; unresolvable names are reported. */
function resolvedAppEnv(stack: Stack, problems: string[]): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(appEnvironment(stack))) {
    if (typeof value !== 'string') {
      problems.push(`app env ${name} is not a string`);
      continue;
    }
    try {
      resolved[name] = interpolate(value, stack.env);
    } catch (error) {
      problems.push(`app env ${name}: ${(error as Error).message}`);
    }
  }
  return resolved;
}

function checkAppEnvironment(stack: Stack): string[] {
  const problems: string[] = [];
  const environment = appEnvironment(stack);
  for (const name of REQUIRED_APP_VARS) if (!(name in environment)) problems.push(`app env lacks ${name}`);
  const known = envSchemaKeys();
  for (const name of Object.keys(environment)) if (!known.has(name)) problems.push(`app env ${name} is not read by gateway/app/config.ts`);
  const resolved = resolvedAppEnv(stack, problems);
  try {
    const config = parseConfig(resolved);
    if (config.databaseUrl === undefined || config.mongoUrl === undefined) problems.push('config lacks a database or mongo URL');
    if (config.gateway.redisUrl === undefined || config.gateway.meili?.key === undefined) problems.push('config lacks redis or meili');
    if (config.gateway.s3 === undefined || config.gateway.jwtSecret === undefined) problems.push('config lacks s3 or a JWT secret');
  } catch (error) {
    problems.push(`parseConfig rejects the app env: ${(error as Error).message}`);
  }
  return problems;
}

function checkBackingServices(stack: Stack): string[] {
  const problems: string[] = [];
  const declaredVolumes = mapAt(stack.compose.volumes);
  const dependsOn = mapAt(mapAt(services(stack).app).depends_on);
  for (const name of [...BACKING_SERVICES, 'minio-init']) {
    const service = services(stack)[name];
    if (!isMap(service)) {
      problems.push(`service ${name} is missing`);
      continue;
    }
    const condition = mapAt(dependsOn[name]).condition;
    const expected = name === 'minio-init' ? 'service_completed_successfully' : 'service_healthy';
    if (condition !== expected) problems.push(`app does not wait for ${name} (${expected})`);
    if (name === 'minio-init') continue;
    if (listAt(mapAt(service.healthcheck).test).length < 2) problems.push(`service ${name} has no healthcheck`);
    const volumes = listAt(service.volumes).map((volume) => volume.split(':')[0]!);
    if (!volumes.some((volume) => volume in declaredVolumes)) problems.push(`service ${name} has no named volume`);
  }
  return problems;
}

function checkUrlsAndPorts(stack: Stack): string[] {
  const problems: string[] = [];
  const resolved = resolvedAppEnv(stack, problems);
  for (const { variable, service, defaultPort } of SERVICE_URLS) {
    const text = resolved[variable];
    if (text === undefined) continue; // reported by checkAppEnvironment
    const url = new URL(text);
    const exposed = listAt(mapAt(services(stack)[service]).expose);
    if (url.hostname !== service) problems.push(`${variable} points at ${url.hostname}, not ${service}`);
    if (!exposed.includes(url.port || defaultPort)) problems.push(`${variable} port ${url.port || defaultPort} is not exposed by ${service}`);
  }
  const mongo = mapAt(services(stack).mongo);
  if (!resolved.MONGO_URL?.includes('replicaSet=rs0') || !listAt(mongo.command).join(' ').includes('--replSet rs0')) {
    problems.push('mongo is not the rs0 replica set the app connects to');
  }
  const app = mapAt(services(stack).app);
  const containerPort = String(parseConfig(resolved.PORT === undefined ? {} : { PORT: resolved.PORT }).gateway.port);
  const published = listAt(app.ports).map((entry) => interpolate(entry, stack.env).split(':').at(-1));
  if (!published.includes(containerPort)) problems.push(`app does not publish its PORT ${containerPort}`);
  if (!new RegExp(`^EXPOSE ${containerPort}$`, 'm').test(stack.dockerfile)) problems.push(`Dockerfile does not EXPOSE ${containerPort}`);
  if (!listAt(mapAt(app.healthcheck).test).join(' ').includes(`:${containerPort}/healthz`)) problems.push('app healthcheck does not probe /healthz');
  const k6 = mapAt(services(stack).k6);
  if (!listAt(k6.profiles).includes('bench')) problems.push('k6 is not under the bench profile');
  if (!listAt(k6.volumes).some((volume) => volume.startsWith('./bench/k6:'))) problems.push('k6 does not mount ./bench/k6');
  if (mapAt(k6.environment).BASE_URL !== `http://app:${containerPort}`) problems.push('k6 BASE_URL does not point at the app');
  return problems;
}

function checkEnvExample(stack: Stack): string[] {
  return [...new Set(variablesUsed(stack.composeText))].filter((name) => !(name in stack.env)).map((name) => `.env.example lacks ${name}`);
}

const checkAll = (stack: Stack) => [...checkAppEnvironment(stack), ...checkBackingServices(stack), ...checkUrlsAndPorts(stack), ...checkEnvExample(stack)];

function loadStack(): Stack {
  const composeText = read('docker-compose.yml');
  return { compose: parseComposeYaml(composeText), composeText, env: parseDotenv(read('.env.example')), dockerfile: read('Dockerfile') };
}

/** A copy of the real stack with one change applied to the parsed compose or the env. */
function mutated(change: (compose: YamlMap, env: Record<string, string>) => void): Stack {
  const stack = loadStack();
  const compose = structuredClone(stack.compose);
  const env = { ...stack.env };
  change(compose, env);
  return { ...stack, compose, env };
}

describe('docker-compose.yml', () => {
  it('provides every variable the app reads, valid for gateway/app/config.ts', () => {
    expect(checkAppEnvironment(loadStack())).toEqual([]);
  });

  it('has every backing service healthchecked, on a named volume, and waited for by the app', () => {
    expect(checkBackingServices(loadStack())).toEqual([]);
  });

  it('points every URL and port at the right service', () => {
    expect(checkUrlsAndPorts(loadStack())).toEqual([]);
  });

  it('uses only variables that .env.example defines', () => {
    expect(checkEnvExample(loadStack())).toEqual([]);
  });

  it('builds the app from a multi-stage, non-root Dockerfile on node:20-bookworm-slim', () => {
    const { dockerfile, compose } = loadStack();
    expect(dockerfile.match(/^FROM node:20-bookworm-slim AS \w+$/gm)).toHaveLength(3);
    expect(dockerfile).toMatch(/^RUN npm ci/m);
    expect(dockerfile).toMatch(/^RUN npm run build:storefront --if-present$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/NODE_ENV=production/);
    expect(dockerfile).toMatch(/^CMD \["npm", "start"\]$/m);
    expect(mapAt(mapAt(mapAt(compose.services).app).build).dockerfile).toBe('Dockerfile');
  });

  describe('catches a broken stack', () => {
    const cases: ReadonlyArray<[string, (compose: YamlMap, env: Record<string, string>) => void, string]> = [
      ['a removed service', (compose) => delete mapAt(compose.services).redis, 'service redis is missing'],
      ['a removed healthcheck', (compose) => delete mapAt(mapAt(compose.services).postgres).healthcheck, 'service postgres has no healthcheck'],
      ['a removed dependency', (compose) => delete mapAt(mapAt(mapAt(compose.services).app).depends_on).meilisearch, 'app does not wait for meilisearch'],
      ['a removed app variable', (compose) => delete mapAt(mapAt(mapAt(compose.services).app).environment).JWT_SECRET, 'app env lacks JWT_SECRET'],
      ['an unknown app variable', (compose) => (mapAt(mapAt(mapAt(compose.services).app).environment).REDIS_HOST = 'redis'), 'REDIS_HOST is not read'],
      ['an invalid value', (_compose, env) => (env.JWT_SECRET = 'short'), 'JWT_SECRET must be at least 32'],
      ['a wrong port', (compose) => (mapAt(mapAt(mapAt(compose.services).app).environment).REDIS_URL = 'redis://redis:6380'), 'REDIS_URL port 6380'],
      ['a wrong host', (compose) => (mapAt(mapAt(mapAt(compose.services).app).environment).MEILI_URL = 'http://localhost:7700'), 'MEILI_URL points at localhost'],
      ['an unpublished app port', (compose) => (mapAt(mapAt(compose.services).app).ports = ['8080:8080']), 'does not publish its PORT 3000'],
      ['a variable missing from .env.example', (_compose, env) => delete env.POSTGRES_PASSWORD, '.env.example lacks POSTGRES_PASSWORD'],
    ];
    it.each(cases)('%s', (_name, change, expected) => {
      const problems = checkAll(mutated(change));
      expect(problems.some((problem) => problem.includes(expected)), problems.join('\n')).toBe(true);
    });
  });
});

describe('compose file reading', () => {
  it('reads mappings, block and flow sequences, quotes and comments, every scalar as a string', () => {
    const parsed = parseComposeYaml('a:\n  b: "x: y" # note\n  c: [\'p\', "q, r"]\n  d:\n    - one\n  e: {}\n  f: 8080\n');
    expect(parsed).toEqual({ a: { b: 'x: y', c: ['p', 'q, r'], d: ['one'], e: {}, f: '8080' } });
  });

  it('reads the YAML compose files use beyond that: anchors, merged into place, and sequences of mappings', () => {
    expect(parseComposeYaml('base: &base\n  image: x\nother: *base\nlist:\n  - name: a\n')).toEqual({ base: { image: 'x' }, other: { image: 'x' }, list: [{ name: 'a' }] });
  });

  it.each([
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a tab', 'a:\n\tb: c\n'],
    ['stray indentation', 'a:\n    b: c\n  d: e\n'],
    ['an unclosed flow sequence', 'a: [1, 2\n'],
  ])('rejects %s, naming the line', (_name, source) => {
    expect(() => parseComposeYaml(source)).toThrow(/line \d+/);
  });

  it('rejects a document that is not a mapping', () => {
    expect(() => parseComposeYaml('- a\n')).toThrow('must be a mapping');
  });

  it('interpolates like compose and finds every variable', () => {
    expect(interpolate('${A}:${B:-3000}:$$C', { A: 'x' })).toBe('x:3000:$C');
    expect(() => interpolate('${A:?needed}', {})).toThrow('needed');
    expect(variablesUsed('${A} ${B:-1} $$C ${D:?x}')).toEqual(['A', 'B', 'D']);
  });
});
