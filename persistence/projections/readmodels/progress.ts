/**
 * A text progress bar for long command-line jobs (the read-model rebuild), with no dependency:
 * on a terminal it redraws one line with `\r`; into a file or pipe it writes a line now and then.
 */
import type { RebuildProgress } from './rebuild.ts';

export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressBarOptions {
  /** Least time between two redraws on a terminal; each costs a write. */
  readonly redrawMs?: number;
  /** Least time between two lines when the output is not a terminal. */
  readonly lineMs?: number;
  readonly nowMs?: () => number;
  readonly width?: number;
}

export interface ProgressBar {
  update(progress: RebuildProgress): void;
  /** Draws the final state and ends the line. */
  finish(progress: RebuildProgress): void;
}

export function createProgressBar(output: ProgressOutput, options: ProgressBarOptions = {}): ProgressBar {
  const terminal = output.isTTY === true;
  const intervalMs = terminal ? (options.redrawMs ?? 100) : (options.lineMs ?? 5_000);
  const nowMs = options.nowMs ?? (() => performance.now());
  let lastDrawMs = Number.NEGATIVE_INFINITY;
  let lastLine = '';
  const draw = (progress: RebuildProgress, final: boolean) => {
    const line = formatProgress(progress, options.width);
    if (terminal) {
      // Spaces, not an escape sequence, clear what a longer previous line left behind.
      output.write(`\r${line.padEnd(lastLine.length)}${final ? '\n' : ''}`);
    } else if (line !== lastLine) {
      output.write(`${line}\n`);
    }
    lastLine = line;
  };
  return {
    update(progress) {
      const now = nowMs();
      if (now - lastDrawMs < intervalMs) return;
      lastDrawMs = now;
      draw(progress, false);
    },
    finish(progress) {
      draw(progress, true);
    },
  };
}

/** `[######------]  50.0%  5000/10000 entries  1234/s  ETA 0:04` (no total: no bar nor ETA). */
export function formatProgress(progress: RebuildProgress, width = 30): string {
  const { done, total, elapsedMs } = progress;
  const perSecond = elapsedMs > 0 ? (done * 1_000) / elapsedMs : 0;
  const rate = `${Math.round(perSecond)}/s`;
  if (total === null) return `${done} entries  ${rate}`;
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const percent = `${(fraction * 100).toFixed(1).padStart(5)}%`;
  const remaining = Math.max(0, total - done);
  const eta = remaining === 0 ? '0:00' : perSecond > 0 ? formatDuration(remaining / perSecond) : '--:--';
  return `${bar} ${percent}  ${done}/${total} entries  ${rate}  ETA ${eta}`;
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatDuration(seconds: number): string {
  const whole = Math.ceil(seconds);
  const hours = Math.floor(whole / 3_600);
  const minutes = Math.floor((whole % 3_600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}
