/**
 * The parent's side of the replicas: starts N replica processes with `fork()`, learns each one's
 * OS-assigned port over IPC, reconfigures them per phase, polls their counters, notices a replica
 * that dies (with its exit code or signal and its last stderr line), and stops them all —
 * SIGTERM first, SIGKILL for any that linger.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { type Clock, HeadroomError } from 'headroom';
import { replicaDied } from '../errors.js';
import { listenError } from '../resources.js';
import type { ParentMessage, ReplicaInit, ReplicaMessage, ReplicaPhaseConfig, ReplicaStats, WarmBlock, WarmCount } from './protocol.js';

/** One running replica, as the load generator sees it. */
export interface ReplicaEndpoint {
  readonly index: number;
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
}

/** Options of {@link ReplicaFleet.start}. */
export interface FleetOptions {
  /** Init of each replica, one per process. */
  readonly replicas: readonly ReplicaInit[];
  /** Times the start, reply and stop deadlines. */
  readonly clock: Clock;
  /** Called once when a replica dies while the fleet is not stopping. */
  readonly onDeath: (error: HeadroomError) => void;
  /** Most time to wait for every replica to be listening, ms (default 30 s). */
  readonly startTimeoutMs?: number;
}

const REPLY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 3_000;
const STDERR_KEEP_CHARS = 4_096;
const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C']);

interface Child {
  readonly index: number;
  readonly process: ChildProcess;
  stderr: string;
  port: number;
  exited: boolean;
  readonly pending: Map<number, { resolve: (m: ReplicaMessage & { type: 'reply' }) => void; reject: (e: Error) => void }>;
}

/** The replica processes of one lab run. */
export class ReplicaFleet {
  readonly #children: Child[];
  readonly #clock: Clock;
  #nextId = 1;
  #stopping = false;

  private constructor(children: Child[], clock: Clock) {
    this.#children = children;
    this.#clock = clock;
  }

  /**
   * Starts every replica and resolves once all listen.
   * @throws HR_LAB_PORT_IN_USE when a requested port is taken, HR_LAB_INVALID_OPTION when this user may
   * not open it; HR_LAB_REPLICA_DIED when one fails to start
   */
  static async start(options: FleetOptions): Promise<ReplicaFleet> {
    const entry = new URL(`./replica-main.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
    const execArgv = loaderFlags(process.execArgv);
    const children = options.replicas.map((init): Child => ({
      index: init.index,
      process: fork(entry, [JSON.stringify(init)], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' }),
      stderr: '',
      port: init.port,
      exited: false,
      pending: new Map(),
    }));
    const fleet = new ReplicaFleet(children, options.clock);
    try {
      await Promise.all(children.map((child) => fleet.#watch(child, options)));
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  /** The running replicas, in index order. */
  get endpoints(): ReplicaEndpoint[] {
    return this.#children.map((c) => ({ index: c.index, pid: c.process.pid ?? -1, port: c.port, origin: `http://127.0.0.1:${c.port}` }));
  }

  /** Installs a phase on every replica (`configs[i]` on replica i). */
  async configure(configs: readonly ReplicaPhaseConfig[]): Promise<void> {
    await Promise.all(
      this.#children.map((child, i) => this.#request(child, { type: 'configure', id: this.#nextId++, config: configs[i]! })),
    );
  }

  /** Replays `blocks[i]` into replica i's cache (see warm-replay.ts); resolves with what each did. */
  async warm(blocks: readonly WarmBlock[]): Promise<WarmCount[]> {
    const replies = await Promise.all(
      this.#children.map((child, i) => this.#request(child, { type: 'warm', id: this.#nextId++, block: blocks[i]! })),
    );
    return replies.map((r) => r.warm!);
  }

  /** Every replica's counters since its last configure. */
  async stats(): Promise<ReplicaStats[]> {
    const replies = await Promise.all(this.#children.map((child) => this.#request(child, { type: 'stats', id: this.#nextId++ })));
    return replies.map((r) => r.stats!);
  }

  /**
   * Counters of the replicas still running, in index order (null for one that has exited) — for a
   * run that kills a replica on purpose (the chaos scenario).
   */
  async liveStats(): Promise<(ReplicaStats | null)[]> {
    return Promise.all(
      this.#children.map((child) =>
        child.exited
          ? null
          : this.#request(child, { type: 'stats', id: this.#nextId++ }).then(
              (r) => r.stats!,
              () => null,
            ),
      ),
    );
  }

  /** Kills replica `index` with SIGKILL (a crash on purpose); resolves once it has exited. */
  kill(index: number): Promise<void> {
    const child = this.#children[index];
    if (child === undefined || child.exited) return Promise.resolve();
    const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
    child.process.kill('SIGKILL');
    return exited;
  }

  /** Stops every replica: SIGTERM, then SIGKILL after a grace period. Idempotent. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const alive = this.#children.filter((c) => !c.exited);
    for (const c of alive) c.process.kill('SIGTERM');
    await Promise.all(
      alive.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exited) return resolve();
            const timer = this.#clock.setTimer(STOP_GRACE_MS, () => c.process.kill('SIGKILL'));
            c.process.once('exit', () => {
              timer.cancel();
              resolve();
            });
          }),
      ),
    );
  }

  /** Kills every replica at once (second Ctrl-C, or the parent exiting). */
  killNow(): void {
    this.#stopping = true;
    for (const c of this.#children) if (!c.exited) c.process.kill('SIGKILL');
  }

  #watch(child: Child, options: FleetOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = this.#clock.setTimer(options.startTimeoutMs ?? 30_000, () => {
        reject(
          replicaDied(
            child.index,
            child.process.pid,
            `did not start listening within ${options.startTimeoutMs ?? 30_000} ms${lastLine(child.stderr)}`,
          ),
        );
      });
      child.process.stderr?.setEncoding('utf8');
      child.process.stderr?.on('data', (chunk: string) => {
        child.stderr = (child.stderr + chunk).slice(-STDERR_KEEP_CHARS);
      });
      child.process.on('message', (message: ReplicaMessage) => {
        if (message.type === 'ready') {
          child.port = message.port;
          ready = true;
          timer.cancel();
          resolve();
        } else if (message.type === 'fatal') {
          timer.cancel();
          const died = replicaDied(child.index, child.process.pid, message.message);
          const listen =
            message.errno === undefined
              ? died
              : listenError(
                  Object.assign(new Error(message.message), { code: message.errno }),
                  child.port,
                  child.port - child.index,
                  child.index,
                );
          reject(listen instanceof HeadroomError ? listen : died);
        } else {
          const pending = child.pending.get(message.id);
          child.pending.delete(message.id);
          if (message.error !== undefined)
            pending?.reject(new HeadroomError('HR_LAB_REPLICA_FAILED', `Replica ${child.index}: ${message.error}`));
          else pending?.resolve(message);
        }
      });
      child.process.on('error', (error) => {
        timer.cancel();
        reject(replicaDied(child.index, child.process.pid, `could not be started: ${error.message}`));
      });
      child.process.on('exit', (code, signal) => {
        child.exited = true;
        timer.cancel();
        const cause = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
        const error = replicaDied(child.index, child.process.pid, `${cause}${lastLine(child.stderr)}`);
        for (const p of child.pending.values()) p.reject(error);
        child.pending.clear();
        if (!ready) reject(error);
        else if (!this.#stopping) options.onDeath(error);
      });
    });
  }

  #request(child: Child, message: ParentMessage): Promise<ReplicaMessage & { type: 'reply' }> {
    if (child.exited) return Promise.reject(replicaDied(child.index, child.process.pid, 'it had already exited'));
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimer(REPLY_TIMEOUT_MS, () => {
        child.pending.delete(message.id);
        reject(
          new HeadroomError(
            'HR_LAB_REPLICA_FAILED',
            `Replica ${child.index} did not answer "${message.type}" within ${REPLY_TIMEOUT_MS} ms.`,
          ),
        );
      });
      child.pending.set(message.id, {
        resolve: (m) => {
          timer.cancel();
          resolve(m);
        },
        reject: (e) => {
          timer.cancel();
          reject(e);
        },
      });
      child.process.send(message, (error) => {
        if (error === null) return;
        child.pending.delete(message.id);
        timer.cancel();
        reject(replicaDied(child.index, child.process.pid, `its IPC channel closed (${error.message})`));
      });
    });
  }
}

/**
 * The loader flags a TypeScript entry needs (`--import tsx`, and `--conditions=headroom-source`
 * so the replica loads the library from the same sources as the parent), and nothing else of the
 * parent's.
 */
export function loaderFlags(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const name = arg.split('=')[0]!;
    if (!LOADER_FLAGS.has(name)) continue;
    kept.push(arg);
    if (!arg.includes('=') && i + 1 < execArgv.length) kept.push(execArgv[++i]!);
  }
  return kept;
}

function lastLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at '));
  const line = lines.find((l) => /Error|error:/.test(l)) ?? lines.at(-1);
  return line === undefined ? '' : ` (stderr: ${line.slice(0, 300)})`;
}
