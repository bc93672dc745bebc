/**
 * Network faults between real processes (Linux, root): two network namespaces, `a` (10.201.0.1)
 * and `b` (10.201.0.2), joined by a veth pair; processes started in a node talk to the other over
 * it, and faults are iptables rules inside the namespaces — a partition (everything from the peer
 * dropped) and random loss (`-m statistic --mode random`) — and, where the kernel has sch_netem,
 * `tc netem` delay, jitter and reordering on a node's end of the link ({@link NetworkLab.delay};
 * {@link NetworkLab.netemUnavailable} says why not, e.g. a kernel built without it).
 *
 * Cleanup is guaranteed by construction: each namespace is held by an `unshare --net cat` whose
 * stdin is a pipe from this process, so when this process exits — even killed with SIGKILL — the
 * pipe closes, the holder exits, and the namespace goes with its veth end and every rule in it.
 * Nothing is added to the host's namespace. Processes you start with {@link NetworkLab.spawn}
 * are killed by {@link NetworkLab.close}; after a crash they keep the namespace until they exit.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { parseDuration, parseOptionalDuration, type Duration } from '../../core/duration.js';
import { HeadroomError } from '../../core/errors.js';

/** The lab's two nodes. */
export type NetworkNode = 'a' | 'b';

/** Addresses of the nodes on the veth link. */
export const NODE_ADDRESS: Readonly<Record<NetworkNode, string>> = { a: '10.201.0.1', b: '10.201.0.2' };

const TOOLS = ['unshare', 'nsenter', 'ip', 'iptables'];

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (error, stdout, stderr) => {
      if (error !== null)
        reject(
          new HeadroomError('HR_CHAOS_NETWORK', `${cmd} ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error }),
        );
      else resolve(stdout);
    });
  });
}

/** Two namespaces joined by a veth pair, with iptables faults. */
export class NetworkLab {
  readonly #holders: Record<NetworkNode, ChildProcess>;
  readonly #children = new Set<ChildProcess>();
  readonly #devices: Record<NetworkNode, string>;

  private constructor(holders: Record<NetworkNode, ChildProcess>) {
    this.#holders = holders;
    const tag = ((holders.a.pid ?? 0) % 100_000).toString(36);
    this.#devices = { a: `hr${tag}a`, b: `hr${tag}b` };
  }

  /**
   * Why `tc netem` cannot run here (what `tc` said, e.g. "Specified qdisc kind is unknown" on a
   * kernel without sch_netem), or `undefined` when it can. Tries it on a veth in a throwaway
   * namespace that goes away with the command.
   */
  static async netemUnavailable(): Promise<string | undefined> {
    const why = await NetworkLab.unavailable();
    if (why !== undefined) return why;
    const script = 'ip link add hrnetem0 type veth peer name hrnetem1 && tc qdisc add dev hrnetem0 root netem delay 1ms';
    try {
      await run('sh', ['-c', 'command -v tc']);
    } catch {
      return 'tc is not installed';
    }
    try {
      await run('unshare', ['--net', 'sh', '-c', script]);
      return undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return `tc netem is not available on this kernel (${message.slice(message.lastIndexOf(':') + 1).trim()})`;
    }
  }

  /**
   * Why the lab cannot run here (not root, a tool missing), or `undefined` when it can.
   */
  static async unavailable(): Promise<string | undefined> {
    if (process.platform !== 'linux') return 'network namespaces need Linux';
    if (process.getuid?.() !== 0) return 'network namespaces and iptables need root';
    for (const tool of TOOLS) {
      try {
        await run('sh', ['-c', `command -v ${tool}`]);
      } catch {
        return `${tool} is not installed`;
      }
    }
    return undefined;
  }

  /**
   * Creates the two namespaces and the link.
   * @throws HR_CHAOS_NETWORK when a command fails (not root, a tool or kernel module missing)
   */
  static async create(): Promise<NetworkLab> {
    const hold = (): ChildProcess => spawn('unshare', ['--net', 'cat'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const lab = new NetworkLab({ a: hold(), b: hold() });
    try {
      await Promise.all(
        Object.values(lab.#holders).map((h) => new Promise<void>((resolve, reject) => (h.once('spawn', resolve), h.once('error', reject)))),
      );
      const [pa, pb] = [lab.#holders.a.pid!, lab.#holders.b.pid!];
      // unshare execs cat once the namespace exists; wait until the pid's namespace differs from ours.
      for (const pid of [pa, pb]) await lab.#waitForNamespace(pid);
      const dev = lab.#devices;
      await run('ip', ['link', 'add', dev.a, 'netns', String(pa), 'type', 'veth', 'peer', 'name', dev.b, 'netns', String(pb)]);
      for (const node of ['a', 'b'] as const) {
        await lab.exec(node, 'ip', ['link', 'set', 'lo', 'up']);
        await lab.exec(node, 'ip', ['addr', 'add', `${NODE_ADDRESS[node]}/24`, 'dev', dev[node]]);
        await lab.exec(node, 'ip', ['link', 'set', dev[node], 'up']);
      }
      return lab;
    } catch (error) {
      await lab.close();
      throw error;
    }
  }

  /** Pids of the namespace holders (for tests of the cleanup). */
  get holderPids(): Record<NetworkNode, number> {
    return { a: this.#holders.a.pid!, b: this.#holders.b.pid! };
  }

  /** Runs a command in `node`'s namespace and resolves to its stdout. @throws HR_CHAOS_NETWORK */
  exec(node: NetworkNode, cmd: string, args: string[]): Promise<string> {
    return run('nsenter', [`--net=/proc/${this.#holders[node].pid}/ns/net`, '--', cmd, ...args]);
  }

  /** Starts a long-running process in `node`'s namespace; {@link close} kills it. */
  spawn(node: NetworkNode, cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('nsenter', [`--net=/proc/${this.#holders[node].pid}/ns/net`, '--', cmd, ...args], options);
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /** Drops every packet between the nodes (both directions). */
  async partition(): Promise<void> {
    await this.exec('a', 'iptables', ['-A', 'INPUT', '-s', NODE_ADDRESS.b, '-j', 'DROP']);
    await this.exec('b', 'iptables', ['-A', 'INPUT', '-s', NODE_ADDRESS.a, '-j', 'DROP']);
  }

  /** Drops each packet arriving at `node` from the other with `probability` (TCP retransmits, so it shows as stalls). */
  async loss(node: NetworkNode, probability: number): Promise<void> {
    if (!(probability >= 0 && probability <= 1))
      throw new HeadroomError('HR_CHAOS_NETWORK', `loss probability ${probability} is not between 0 and 1`);
    const peer = NODE_ADDRESS[node === 'a' ? 'b' : 'a'];
    await this.exec(node, 'iptables', [
      '-A',
      'INPUT',
      '-s',
      peer,
      '-m',
      'statistic',
      '--mode',
      'random',
      '--probability',
      String(probability),
      '-j',
      'DROP',
    ]);
  }

  /**
   * Delays every packet `node` sends to the other by `delay` (± `jitter`), sending `reorderPercent`
   * of them at once instead (so they overtake the delayed ones): `tc netem` on its end of the link.
   * @throws HR_CORE_INVALID_DURATION for a bad delay or jitter
   * @throws HR_CHAOS_NETWORK when netem is missing (see {@link netemUnavailable}) or reorderPercent is outside 0–100
   */
  async delay(node: NetworkNode, options: { delay: Duration; jitter?: Duration; reorderPercent?: number }): Promise<void> {
    const delayMs = parseDuration(options.delay, 'delay');
    const jitterMs = parseOptionalDuration(options.jitter, 'jitter', 0);
    const reorderPercent = options.reorderPercent ?? 0;
    if (!(reorderPercent >= 0 && reorderPercent <= 100))
      throw new HeadroomError('HR_CHAOS_NETWORK', `netem reorder ${reorderPercent}%: use a percentage from 0 to 100`);
    const args = ['qdisc', 'replace', 'dev', this.#devices[node], 'root', 'netem', 'delay', `${delayMs}ms`, `${jitterMs}ms`];
    if (reorderPercent > 0) args.push('reorder', `${reorderPercent}%`);
    await this.exec(node, 'tc', args);
  }

  /** Removes every fault (iptables rules and netem qdiscs). */
  async heal(): Promise<void> {
    for (const node of ['a', 'b'] as const) {
      await this.exec(node, 'iptables', ['-F', 'INPUT']);
      // No netem qdisc there is fine: nothing to remove.
      await this.exec(node, 'tc', ['qdisc', 'del', 'dev', this.#devices[node], 'root']).catch(() => undefined);
    }
  }

  /** Kills what was spawned and the holders: the namespaces, the link and the rules disappear. */
  async close(): Promise<void> {
    for (const child of [...this.#children, ...Object.values(this.#holders)]) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    }
  }

  async #waitForNamespace(pid: number): Promise<void> {
    const own = await run('readlink', ['/proc/self/ns/net']);
    for (let i = 0; i < 200; i++) {
      const theirs = await run('readlink', [`/proc/${pid}/ns/net`]).catch(() => own);
      if (theirs !== own) return;
    }
    throw new HeadroomError('HR_CHAOS_NETWORK', `the namespace of process ${pid} did not appear`);
  }
}
