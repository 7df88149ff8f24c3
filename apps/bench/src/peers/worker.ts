/**
 * A child process spoken to in JSON lines: one request, then its one-line reply. The torch peer
 * runs in one, so its calls are timed between ours instead of in a phase of their own.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/** A reply's `error` field, raised as an exception naming the request. */
export class WorkerError extends Error {}

export class JsonLineWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered = '';
  private stderr = '';
  private waiting: { resolve: (line: string) => void; reject: (err: Error) => void } | null = null;
  private exited: Error | null = null;
  private readonly exit: Promise<void>;

  /** Starts `command args`; `name` prefixes its errors. */
  constructor(private readonly name: string, command: string, args: readonly string[], private readonly timeoutMs = 10 * 60_000) {
    this.child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.receive(chunk));
    // keep the tail of stderr for the error of a worker that dies
    this.child.stderr.on('data', (chunk: string) => void (this.stderr = (this.stderr + chunk).slice(-4000)));
    this.exit = new Promise((resolve) => {
      const end = (why: string) => {
        this.exited ??= new Error(`${this.name}: worker ${why}${this.stderrTail()}`);
        this.waiting?.reject(this.exited);
        this.waiting = null;
        resolve();
      };
      this.child.on('error', (err) => end(`could not start (${err.message})`));
      this.child.on('close', (code, signal) => end(`exited (${signal ?? `code ${code}`})`));
    });
    this.child.stdin.on('error', () => {}); // a dead worker's EPIPE: reported by 'close'
  }

  private stderrTail(): string {
    const last = this.stderr.trim().split('\n').pop();
    return last ? `: ${last}` : '';
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      const w = this.waiting;
      this.waiting = null;
      w?.resolve(line);
    }
  }

  /** Sends `request` and resolves to the parsed reply; rejects on `{error}`, a timeout or the worker's death. */
  async request<T>(request: { op: string } & Record<string, unknown>): Promise<T> {
    if (this.exited) throw this.exited;
    if (this.waiting) throw new Error(`${this.name}: request '${request.op}' sent while another is pending`);
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        this.child.kill('SIGKILL');
        reject(new Error(`${this.name}: no reply to '${request.op}' within ${this.timeoutMs / 1000} s; worker killed`));
      }, this.timeoutMs);
      const done = <A>(f: (a: A) => void) => (a: A) => {
        clearTimeout(timer);
        f(a);
      };
      this.waiting = { resolve: done(resolve), reject: done(reject) };
      this.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
    let reply: T & { error?: string };
    try {
      reply = JSON.parse(line) as T & { error?: string };
    } catch {
      throw new Error(`${this.name}: '${request.op}' got a reply that is not JSON: ${line.slice(0, 200)}`);
    }
    if (typeof reply.error === 'string') throw new WorkerError(`${this.name}: '${request.op}' failed: ${reply.error}`);
    return reply;
  }

  /** Closes the worker's input (it exits at end of input) and waits for it; kills it after `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}
