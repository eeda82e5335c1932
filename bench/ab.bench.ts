/**
 * Before and after in turn: `npm run bench:ab -- <before-rev> [<after-rev>]` (after: the working
 * tree as it is). A change to the runtime is measured here in interleaved windows, so a machine
 * whose speed drifts over minutes (this one's SQL baseline moved by up to 40% between two runs)
 * hits both sides alike; one full `bench:checkout` per side cannot tell a 5% change from drift.
 *
 * Each revision gets a temporary git worktree sharing this tree's node_modules. Each window is a
 * fresh process (bench/lib/ab-window.ts) running that revision's own system and closed loop for
 * AB_WINDOW_MS (5 s) after a 2-s warm-up: orders/s, p50/p99, CPU per order (the whole process,
 * and PostgreSQL's backends in the postgres cells), GC share and event-loop delay. AB_PAIRS (4) pairs per cell, the side that goes first alternating.
 * Cells: AB_CELLS, `<pglite|postgres>:<mixed|hot-seller>:<clients>` (default
 * `pglite:mixed:64,postgres:mixed:8`); postgres cells need DATABASE_URL and are skipped, saying
 * so, without it. Writes bench/results/ab.json; the worktrees are removed, also on Ctrl-C.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onInterrupt } from './lib/interrupts.ts';
import { integerFromEnv, log } from './lib/options.ts';
import { finishRun, startRun } from './lib/run.ts';
import { printTable } from './lib/table.ts';

interface Window {
  readonly ordersPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerOrder: number;
  /** PostgreSQL's backends per order (postgres cells; an older ab-window printed none). */
  readonly postgresCpuUsPerOrder?: number | null;
  readonly gcPercent: number;
  readonly eventLoopDelayP99Ms: number;
  readonly failures: Readonly<Record<string, number>>;
}

interface Cell {
  readonly target: 'pglite' | 'postgres';
  readonly scenario: string;
  readonly clients: number;
}

interface Side {
  readonly label: string;
  readonly rev: string;
  readonly tree: string;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const windowMs = integerFromEnv('AB_WINDOW_MS', 5_000);
const pairs = integerFromEnv('AB_PAIRS', 4);
const databaseUrl = process.env['DATABASE_URL'] || undefined;

function parseCells(text: string): Cell[] {
  return text.split(',').map((part) => {
    const [target = '', scenario = '', clients = ''] = part.split(':');
    if ((target !== 'pglite' && target !== 'postgres') || !['mixed', 'hot-seller'].includes(scenario) || !/^[1-9][0-9]*$/.test(clients)) {
      throw new Error(`AB_CELLS: ${part} is not <pglite|postgres>:<mixed|hot-seller>:<clients>`);
    }
    return { target, scenario, clients: Number(clients) };
  });
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
}

/** A detached worktree of `rev` in a temporary folder, using this tree's installed packages. */
function worktreeOf(rev: string): string {
  const tree = join(mkdtempSync(join(tmpdir(), 'bazaary-ab-')), 'tree');
  git('worktree', 'add', '--detach', '--quiet', tree, rev);
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  return tree;
}

function runWindow(side: Side, cell: Cell): Promise<Window> {
  const env = { ...process.env, AB_TREE: side.tree, AB_TARGET: cell.target, AB_SCENARIO: cell.scenario, AB_CLIENTS: String(cell.clients), AB_WINDOW_MS: String(windowMs) };
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/lib/ab-window.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const line = output.split('\n').find((text) => text.startsWith('AB_RESULT '));
      if (code !== 0 || line === undefined) reject(new Error(`the ${side.label} window of ${cell.target} ${cell.scenario} ×${cell.clients} exited ${code} without a result`));
      else resolve(JSON.parse(line.slice('AB_RESULT '.length)) as Window);
    });
  });
}

const mean = (values: readonly number[], digits = 0) => {
  const scale = 10 ** digits;
  return Math.round((values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length)) * scale) / scale;
};

async function main(): Promise<void> {
  const [beforeRev, afterRev] = process.argv.slice(2);
  if (beforeRev === undefined) throw new Error('usage: npm run bench:ab -- <before-rev> [<after-rev>]');
  const cells = parseCells(process.env['AB_CELLS'] ?? 'pglite:mixed:64,postgres:mixed:8').filter((cell) => {
    if (cell.target === 'postgres' && databaseUrl === undefined) log(`skipped ${cell.target} ${cell.scenario} ×${cell.clients}: DATABASE_URL is not set`);
    return cell.target === 'pglite' || databaseUrl !== undefined;
  });
  const run = startRun('ab');
  const trees: string[] = [];
  const removeTrees = async () => {
    for (const tree of trees.splice(0)) {
      git('worktree', 'remove', '--force', tree);
      rmSync(dirname(tree), { recursive: true, force: true });
    }
  };
  const forgetCleanUp = onInterrupt(removeTrees);
  try {
    const before: Side = { label: 'before', rev: git('rev-parse', beforeRev), tree: worktreeOf(beforeRev) };
    trees.push(before.tree);
    const afterTree = afterRev === undefined ? root : worktreeOf(afterRev);
    if (afterRev !== undefined) trees.push(afterTree);
    const dirty = afterRev === undefined && git('status', '--porcelain', '--untracked-files=no') !== '';
    const after: Side = { label: 'after', rev: `${git('rev-parse', afterRev ?? 'HEAD')}${dirty ? ' (with uncommitted changes)' : ''}`, tree: afterTree };
    const results = [];
    for (const cell of cells) {
      const windows: { before: Window[]; after: Window[] } = { before: [], after: [] };
      for (let pair = 0; pair < pairs; pair += 1) {
        for (const side of pair % 2 === 0 ? [before, after] : [after, before]) {
          const window = await runWindow(side, cell);
          windows[side.label as 'before' | 'after'].push(window);
          log(`${cell.target} ${cell.scenario} ×${cell.clients} pair ${pair + 1} ${side.label}: ${window.ordersPerSec} orders/s, p99 ${window.p99Ms} ms, ${window.cpuUsPerOrder} µs CPU per order${window.postgresCpuUsPerOrder == null ? '' : ` + ${window.postgresCpuUsPerOrder} µs PostgreSQL`}`);
        }
      }
      const wins = windows.after.filter((window, index) => window.ordersPerSec > (windows.before[index]?.ordersPerSec ?? Number.POSITIVE_INFINITY)).length;
      results.push({ ...cell, wins, pairs, before: windows.before, after: windows.after });
    }
    printTable(
      `Interleaved ${windowMs / 1_000}-s windows, ${pairs} pairs per cell: before ${before.rev.slice(0, 7)} → after ${after.rev.slice(0, 7)}`,
      ['target', 'scenario', 'clients', 'orders/s before', 'after', 'after won', 'p99 ms before', 'after', 'CPU µs/order before', 'after', 'PostgreSQL µs/order before', 'after', 'GC % before', 'after'],
      results.map((result) => [
        result.target, result.scenario, result.clients,
        mean(result.before.map((window) => window.ordersPerSec)), mean(result.after.map((window) => window.ordersPerSec)), `${result.wins} of ${result.pairs}`,
        mean(result.before.map((window) => window.p99Ms)), mean(result.after.map((window) => window.p99Ms)),
        mean(result.before.map((window) => window.cpuUsPerOrder)), mean(result.after.map((window) => window.cpuUsPerOrder)),
        postgresMean(result.before), postgresMean(result.after),
        mean(result.before.map((window) => window.gcPercent), 1), mean(result.after.map((window) => window.gcPercent), 1),
      ]),
    );
    await finishRun(run, {
      method: `interleaved closed-loop windows (bench/lib/ab-window.ts: each revision's own system and workload, a fresh process per window, 2-s warm-up, ${windowMs}-ms window), the side that goes first alternating per pair`,
      before: { rev: before.rev },
      after: { rev: after.rev },
      cells: results,
    });
  } finally {
    forgetCleanUp();
    await removeTrees();
  }
}

/** The mean of the windows' PostgreSQL CPU per order, or '-' in the embedded cells. */
function postgresMean(windows: readonly Window[]): number | string {
  const values = windows.flatMap((window) => (window.postgresCpuUsPerOrder == null ? [] : [window.postgresCpuUsPerOrder]));
  return values.length === 0 ? '-' : mean(values);
}

await main();
