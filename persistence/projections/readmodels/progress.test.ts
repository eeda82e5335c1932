import { describe, expect, it } from 'vitest';
import { createProgressBar, formatDuration, formatProgress } from './progress.ts';

describe('formatProgress', () => {
  it('shows the bar, the share done, the counts, the rate and the time left', () => {
    expect(formatProgress({ done: 5_000, total: 10_000, elapsedMs: 4_000 }, 10)).toBe('[#####-----]  50.0%  5000/10000 entries  1250/s  ETA 0:04');
  });

  it('shows a full bar at the end and a waiting one at the start', () => {
    expect(formatProgress({ done: 7, total: 7, elapsedMs: 1 }, 4)).toBe('[####] 100.0%  7/7 entries  7000/s  ETA 0:00');
    expect(formatProgress({ done: 0, total: 7, elapsedMs: 0 }, 4)).toBe('[----]   0.0%  0/7 entries  0/s  ETA --:--');
    expect(formatProgress({ done: 0, total: 0, elapsedMs: 0 }, 4)).toBe('[####] 100.0%  0/0 entries  0/s  ETA 0:00');
  });

  it('shows counts and rate alone when the total is unknown', () => {
    expect(formatProgress({ done: 300, total: null, elapsedMs: 2_000 })).toBe('300 entries  150/s');
  });
});

describe('formatDuration', () => {
  it('writes minutes and seconds, and hours from an hour on', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(59.2)).toBe('1:00');
    expect(formatDuration(61)).toBe('1:01');
    expect(formatDuration(3_600 + 62)).toBe('1:01:02');
  });
});

describe('createProgressBar', () => {
  function output(isTTY: boolean) {
    const writes: string[] = [];
    return { writes, stream: { isTTY, write: (text: string) => writes.push(text) } };
  }

  it('redraws one line on a terminal, at most once per interval, and ends the line when done', () => {
    let nowMs = 0;
    const { writes, stream } = output(true);
    const bar = createProgressBar(stream, { redrawMs: 100, nowMs: () => nowMs, width: 4 });
    bar.update({ done: 1, total: 4, elapsedMs: 1_000 });
    nowMs = 50;
    bar.update({ done: 2, total: 4, elapsedMs: 1_050 });
    nowMs = 150;
    bar.update({ done: 3, total: 4, elapsedMs: 1_000 });
    bar.finish({ done: 4, total: 4, elapsedMs: 1_000 });
    expect(writes).toEqual([
      '\r[#---]  25.0%  1/4 entries  1/s  ETA 0:03',
      '\r[###-]  75.0%  3/4 entries  3/s  ETA 0:01',
      '\r[####] 100.0%  4/4 entries  4/s  ETA 0:00\n',
    ]);
  });

  it('pads a shorter line so nothing of the longer one before it stays visible', () => {
    const { writes, stream } = output(true);
    const bar = createProgressBar(stream, { nowMs: () => 0 });
    bar.update({ done: 12_345, total: null, elapsedMs: 1_000 });
    bar.finish({ done: 1, total: null, elapsedMs: 1_000 });
    expect(writes[1]).toBe(`\r${'1 entries  1/s'.padEnd('12345 entries  12345/s'.length)}\n`);
  });

  it('writes whole lines, seldom, when the output is not a terminal', () => {
    let nowMs = 0;
    const { writes, stream } = output(false);
    const bar = createProgressBar(stream, { lineMs: 1_000, nowMs: () => nowMs, width: 4 });
    bar.update({ done: 1, total: 2, elapsedMs: 1_000 });
    nowMs = 500;
    bar.update({ done: 1, total: 2, elapsedMs: 1_000 });
    bar.finish({ done: 2, total: 2, elapsedMs: 1_000 });
    expect(writes).toEqual(['[##--]  50.0%  1/2 entries  1/s  ETA 0:01\n', '[####] 100.0%  2/2 entries  2/s  ETA 0:00\n']);
  });

  it('does not repeat the last line when nothing changed since', () => {
    const { writes, stream } = output(false);
    const bar = createProgressBar(stream, { nowMs: () => 0 });
    bar.update({ done: 0, total: 0, elapsedMs: 0 });
    bar.finish({ done: 0, total: 0, elapsedMs: 0 });
    expect(writes).toHaveLength(1);
  });
});
