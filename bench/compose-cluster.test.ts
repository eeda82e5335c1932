/**
 * docker-compose.cluster.yml (`--scale app=3` behind HAProxy, issue #16), read rather than run:
 * Docker does not run on this machine. The override is merged into docker-compose.yml the way
 * compose merges files, and the result is checked against gateway/app/config.ts and
 * haproxy.cluster.cfg: each replica turns cluster mode on with its own node id and an address
 * the others reach, on the PostgreSQL journal (no MONGO_URL), with no host port to fight over;
 * the balancer publishes PORT, sends to every replica of `app` on its container port, found by
 * Docker's DNS, and checks /readyz; the replicas trust the balancer's X-Forwarded-For, which it
 * sends, so the per-IP limits count clients, not the balancer. Each check lists problems, so the mutation cases below show
 * that a broken piece is caught.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../gateway/app/config.ts';
import { trustedProxies } from '../gateway/client-address.ts';
import { interpolate, mergeComposeOverride, parseComposeYaml, parseDotenv, variablesUsed, type YamlMap, type YamlValue } from './lib/compose-yaml.ts';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

interface ClusterStack {
  readonly compose: YamlMap;
  readonly env: Record<string, string>;
  readonly haproxy: string;
}

const isMap = (value: YamlValue | undefined): value is YamlMap => typeof value === 'object' && !Array.isArray(value);
const mapAt = (value: YamlValue | undefined): YamlMap => (isMap(value) ? value : {});
const listAt = (value: YamlValue | undefined): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
const service = (stack: ClusterStack, name: string) => mapAt(mapAt(stack.compose.services)[name]);

/** Two replicas as Docker would start them: each its own container hostname and IP. */
const replicas = [
  { hostname: '3f2a91c0e1b2', ip: '172.18.0.7' },
  { hostname: '9d0c4b7a5e61', ip: '172.18.0.8' },
];
/** The balancer's address on the same network, where every request to a replica comes from. */
const balancerIp = '172.18.0.2';

/** What the app's shell command exports, for one replica: `$(hostname)` and `$(hostname -i …)` run in its container. */
function commandEnv(stack: ClusterStack, replica: (typeof replicas)[number], problems: string[]): Record<string, string> {
  const command = listAt(service(stack, 'app').command);
  const script = interpolate(command.at(-1) ?? '', stack.env);
  if (command[0] !== 'sh' || command[1] !== '-c') problems.push('app command is not a shell script (sh -c)');
  if (!/\bexec npm start$/.test(script)) problems.push('app command does not end in `exec npm start` (the Dockerfile CMD)');
  const exported: Record<string, string> = {};
  for (const match of script.matchAll(/([A-Z_]+)="([^"]*)"/g)) {
    exported[match[1]!] = match[2]!.replace('$(hostname -i | cut -d \' \' -f 1)', replica.ip).replace('$(hostname)', replica.hostname);
  }
  return exported;
}

function checkNodes(stack: ClusterStack): string[] {
  const problems: string[] = [];
  const environment = mapAt(service(stack, 'app').environment);
  const base: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) if (typeof value === 'string') base[name] = interpolate(value, stack.env);
  const configs = replicas.flatMap((replica) => {
    try {
      return [parseConfig({ ...base, ...commandEnv(stack, replica, problems) })];
    } catch (error) {
      problems.push(`parseConfig refuses a replica's env: ${(error as Error).message}`);
      return [];
    }
  });
  for (const config of configs) {
    if (config.cluster === undefined) problems.push('a replica runs without cluster mode (no CLUSTER_NODE_ID)');
    if (config.databaseUrl === undefined) problems.push('a replica has no DATABASE_URL');
    if (!trustedProxies(config.gateway.trustedProxies).has(balancerIp)) problems.push(`a replica does not trust the balancer at ${balancerIp} (TRUSTED_PROXIES): all clients would share one per-IP limit`);
  }
  const [first, second] = configs.map((config) => config.cluster);
  if (first !== undefined && second !== undefined) {
    if (first.nodeId === second.nodeId) problems.push(`two replicas share the node id ${first.nodeId}`);
    if (first.address === second.address) problems.push(`two replicas share the address ${first.address}`);
    if (!first.address.includes(replicas[0]!.ip) && !first.address.includes(replicas[0]!.hostname)) problems.push(`a replica's address ${first.address} does not name it`);
    if (new URL(first.address).port !== String(first.internalPort)) problems.push(`the address ${first.address} is not on CLUSTER_PORT ${first.internalPort}`);
    if (!listAt(service(stack, 'app').expose).includes(String(first.internalPort))) problems.push(`app does not expose CLUSTER_PORT ${first.internalPort}`);
    if (first.shardCount !== second.shardCount || first.leaseTtlMs !== second.leaseTtlMs || first.secret !== second.secret) problems.push('replicas disagree on shards, TTL or secret');
  }
  return problems;
}

function checkScaling(stack: ClusterStack): string[] {
  const problems: string[] = [];
  const app = service(stack, 'app');
  if (listAt(app.ports).length > 0) problems.push(`app publishes host ports (${listAt(app.ports).join(', ')}): replicas would fight over them`);
  if ('container_name' in app) problems.push('app has a container_name: compose cannot scale it');
  const dependsOn = mapAt(app.depends_on);
  if ('mongo' in dependsOn) problems.push('app still waits for mongo, which cluster mode does not use');
  for (const name of ['postgres', 'redis']) if (mapAt(dependsOn[name]).condition !== 'service_healthy') problems.push(`app does not wait for ${name}`);
  if (!listAt(service(stack, 'mongo').profiles).length) problems.push('mongo still starts by default');
  return problems;
}

function checkBalancer(stack: ClusterStack): string[] {
  const problems: string[] = [];
  const lb = service(stack, 'lb');
  if (Object.keys(lb).length === 0) return ['service lb is missing'];
  const containerPort = String(parseConfig({}).gateway.port);
  const published = listAt(lb.ports).map((entry) => interpolate(entry, stack.env).split(':'));
  const bind = /^\s*bind\s+:(\d+)\s*$/m.exec(stack.haproxy)?.[1];
  if (!published.some(([host, container]) => host === stack.env.PORT && container === bind)) problems.push(`lb does not publish PORT ${stack.env.PORT} to its bind port ${bind ?? '(none)'}`);
  if (!listAt(lb.volumes).some((volume) => volume.startsWith('./haproxy.cluster.cfg:/usr/local/etc/haproxy/haproxy.cfg'))) problems.push('lb does not mount haproxy.cluster.cfg');
  if (mapAt(mapAt(lb.depends_on).app).condition !== 'service_healthy') problems.push('lb does not wait for a healthy app');
  if (!new RegExp(`^\\s*server-template\\s+\\w+\\s+\\d+\\s+app:${containerPort}\\s*$`, 'm').test(stack.haproxy)) problems.push(`haproxy does not send to every app replica on ${containerPort}`);
  if (!/^\s*default-server\b.*\bcheck\b.*\bresolvers docker\b/m.test(stack.haproxy) || !/nameserver \w+ 127\.0\.0\.11:53/.test(stack.haproxy)) problems.push('haproxy does not find replicas through Docker DNS with health checks');
  if (!/^\s*option httpchk GET \/readyz\s*$/m.test(stack.haproxy)) problems.push('haproxy does not check /readyz');
  if (!/^\s*option forwardfor\b/m.test(stack.haproxy)) problems.push('haproxy does not name the client in X-Forwarded-For');
  if (!/^\s*timeout tunnel\s+\S+/m.test(stack.haproxy)) problems.push('haproxy has no tunnel timeout for WebSockets');
  if (mapAt(service(stack, 'k6').environment).BASE_URL !== `http://lb:${bind}`) problems.push('k6 does not go through the balancer');
  return problems;
}

function checkEnvExample(stack: ClusterStack, overrideText: string): string[] {
  return [...new Set(variablesUsed(overrideText))].filter((name) => !(name in stack.env)).map((name) => `.env.example lacks ${name}`);
}

const overrideText = read('docker-compose.cluster.yml');

function loadStack(change: (override: string) => string = (text) => text, changeEnv: (env: Record<string, string>) => void = () => undefined): ClusterStack {
  const env = parseDotenv(read('.env.example'));
  changeEnv(env);
  return { compose: mergeComposeOverride(parseComposeYaml(read('docker-compose.yml')), change(overrideText)), env, haproxy: read('haproxy.cluster.cfg') };
}

const checkAll = (stack: ClusterStack) => [...checkNodes(stack), ...checkScaling(stack), ...checkBalancer(stack)];

describe('docker-compose.cluster.yml over docker-compose.yml', () => {
  it('starts each replica in cluster mode on PostgreSQL, with its own node id and an address the others reach', () => {
    expect(checkNodes(loadStack())).toEqual([]);
  });

  it('lets app scale: no host port, no container name, no wait for the unused mongo', () => {
    expect(checkScaling(loadStack())).toEqual([]);
  });

  it('puts HAProxy in front, publishing PORT and checking /readyz on every replica Docker DNS names', () => {
    expect(checkBalancer(loadStack())).toEqual([]);
  });

  it('uses only variables that .env.example defines', () => {
    expect(checkEnvExample(loadStack(), overrideText)).toEqual([]);
  });

  describe('catches a broken cluster stack', () => {
    const cases: ReadonlyArray<[string, (text: string) => string, string]> = [
      ['a fixed node id', (text) => text.replace('CLUSTER_NODE_ID=\\"$$(hostname)\\"', 'CLUSTER_NODE_ID=\\"node\\"'), 'two replicas share the node id node'],
      ['a shared address', (text) => text.replace('$$(hostname -i | cut -d \' \' -f 1)', 'app'), 'two replicas share the address'],
      ['the host port kept', (text) => text.replace('ports: !reset []', 'ports: []'), 'app publishes host ports'],
      ['MONGO_URL kept', (text) => text.replace('MONGO_URL: !reset null\n', ''), 'cannot be used with MONGO_URL'],
      ['no secret', (text) => text.replace(/^ {6}CLUSTER_SECRET: .*\n/m, ''), 'needs CLUSTER_SECRET'],
      ['the internal port not exposed', (text) => text.replace('expose: ["3000", "3001", "9464"]', 'expose: ["9464"]'), 'app does not expose CLUSTER_PORT 3001'],
      ['depends_on merged instead of replaced', (text) => text.replace('depends_on: !override', 'depends_on:'), 'app still waits for mongo'],
      ['no balancer', (text) => text.slice(0, text.indexOf('\n  lb:')), 'service lb is missing'],
      ['the balancer not trusted', (text) => text.replace(/^ {6}TRUSTED_PROXIES: .*\n/m, ''), 'does not trust the balancer'],
    ];
    it.each(cases)('%s', (_name, change, expected) => {
      const stack = loadStack((text) => {
        const changed = change(text);
        expect(changed, 'the mutation must change the file').not.toBe(text);
        return changed;
      });
      const problems = checkAll(stack);
      expect(problems.some((problem) => problem.includes(expected)), problems.join('\n')).toBe(true);
    });

    it('a balancer that does not check readiness', () => {
      const stack = { ...loadStack(), haproxy: read('haproxy.cluster.cfg').replace('option httpchk GET /readyz', '') };
      expect(checkBalancer(stack)).toContain('haproxy does not check /readyz');
    });
  });
});

describe('compose override merging', () => {
  it('merges mappings, unions sequences, replaces commands, and honours !reset and !override', () => {
    const base = parseComposeYaml('s:\n  env: {A: "1", B: "2"}\n  ports: ["1:1"]\n  expose: ["1"]\n  command: [a, b]\n  deps: {x: {c: y}, z: {c: y}}\n');
    const merged = mergeComposeOverride(base, 's:\n  env: {B: !reset null, C: "3"}\n  ports: !reset []\n  expose: ["1", "2"]\n  command: [c]\n  deps: !override {z: {c: w}}\n');
    expect(merged).toEqual({ s: { env: { A: '1', C: '3' }, expose: ['1', '2'], command: ['c'], deps: { z: { c: 'w' } } } });
  });

  it('refuses a tag compose does not know', () => {
    expect(() => mergeComposeOverride({}, 'a: !merge x\n')).toThrow('unknown tag !merge');
  });
});
