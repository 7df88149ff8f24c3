/**
 * A one-line progress bar for training and calibration: steps done, loss, elapsed time and
 * ETA. On a TTY it redraws in place; elsewhere (CI logs, pipes) it prints only the final line,
 * so logs stay short. It writes to stderr, leaving stdout to the results.
 */

/** What one bar line shows. */
export interface ProgressState {
  label: string;
  done: number;
  total: number;
  elapsedMs: number;
  /** Running loss, when the task has one (training). */
  loss?: number;
}

/** Where a bar draws: a writable stream with an optional `isTTY` and `columns`. */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** `1m05s` / `12s` / `0.4s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
}

/** Remaining time, extrapolated linearly from the time per step so far (NaN before the first step). */
export function etaMs(state: Pick<ProgressState, 'done' | 'total' | 'elapsedMs'>): number {
  if (state.done <= 0) return Number.NaN;
  return (state.elapsedMs / state.done) * (state.total - state.done);
}

/** The bar line: `label [#####.....]   50% 5/10 loss 0.4321 ETA 1.0s` (`in 2.0s` once done). */
export function renderProgress(state: ProgressState, width = 24): string {
  const frac = state.total > 0 ? Math.min(1, state.done / state.total) : 1;
  const filled = Math.round(frac * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const pct = `${Math.round(frac * 100)}%`.padStart(4);
  const loss = state.loss === undefined ? '' : ` loss ${state.loss.toFixed(4)}`;
  const time = state.done >= state.total ? ` in ${formatDuration(state.elapsedMs)}` : ` ETA ${formatDuration(etaMs(state))}`;
  return `${state.label} ${bar} ${pct} ${state.done}/${state.total}${loss}${time}`;
}

/**
 * A progress bar over `total` steps.
 * @example
 * const bar = new ProgressBar('train cnn', batches);
 * for (...) { ...; bar.tick({ loss }); }
 * bar.finish();
 */
export class ProgressBar {
  private done = 0;
  private loss: number | undefined;
  private readonly start: number;
  private lastDraw = -Infinity;

  constructor(
    readonly label: string,
    readonly total: number,
    private readonly sink: ProgressSink = process.stderr,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.start = now();
  }

  /** The current line. */
  state(): ProgressState {
    return { label: this.label, done: this.done, total: this.total, elapsedMs: this.now() - this.start, loss: this.loss };
  }

  /** Advances by `steps` (default 1) and records the latest loss. */
  tick(update: { steps?: number; loss?: number } = {}): void {
    this.done = Math.min(this.total, this.done + (update.steps ?? 1));
    if (update.loss !== undefined) this.loss = update.loss;
    // Redraw at most ~10 times a second: the terminal, not the model, would become the bottleneck.
    const t = this.now();
    if (this.sink.isTTY && t - this.lastDraw >= 100) {
      this.lastDraw = t;
      this.sink.write(`\r${this.fit(renderProgress(this.state()))}\x1b[K`);
    }
  }

  /** Completes the bar and ends its line (the only line printed when not on a TTY). */
  finish(): void {
    this.done = this.total;
    const line = this.fit(renderProgress(this.state()));
    this.sink.write(this.sink.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
  }

  private fit(line: string): string {
    const cols = this.sink.columns;
    return cols && line.length >= cols ? line.slice(0, cols - 1) : line;
  }
}
