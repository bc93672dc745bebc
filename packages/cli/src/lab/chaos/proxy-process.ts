/**
 * The parent's side of the chaos scenario's proxy process (proxy-main.ts): forks it, learns where
 * it listens, and stalls or heals the Redis link over IPC.
 */
import { fork } from 'node:child_process';
import { loaderFlags } from '../service/fleet.js';

/** What the proxy process is started with (argv[2], JSON). */
export interface ProxyInit {
  /** The proxy's name in the chaos proxy server. */
  readonly name: string;
  /** The stall toxic's name. */
  readonly toxic: string;
  /** `host:port` of the real Redis. */
  readonly upstream: string;
  /** Non-loopback upstreams the proxy may dial (the chaos proxy refuses others). */
  readonly allowUpstreams?: readonly string[];
  /** Seed of the proxy's random source (toxicity draws). */
  readonly seed: number;
}

/** Parent → proxy process. */
export type ProxyRequest =
  { readonly type: 'stall'; readonly id: number; readonly latencyMs: number } | { readonly type: 'heal'; readonly id: number };

/** Proxy process → parent. */
export type ProxyReply =
  | { readonly type: 'ready'; readonly listen: string }
  | { readonly type: 'done'; readonly id: number }
  | { readonly type: 'failed'; readonly message: string };

/** A running proxy process. */
export interface ProxyProcess {
  /** `host:port` the proxy listens on. */
  readonly listen: string;
  /** Its pid. */
  readonly pid: number;
  /** Holds every command sent to Redis (a `latency` toxic of `latencyMs` on the upstream stream). */
  stall(latencyMs: number): Promise<void>;
  /** Removes the stall: held commands go through. */
  heal(): Promise<void>;
  /** Stops the process and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Forks the proxy process and resolves once it listens.
 * @throws Error naming the reason when the process fails to start
 */
export async function startProxyProcess(init: ProxyInit): Promise<ProxyProcess> {
  const entry = new URL(`./proxy-main.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
  const child = fork(entry, [JSON.stringify(init)], {
    execArgv: loaderFlags(process.execArgv),
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'json',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error(`the chaos proxy process (pid ${child.pid}) exited`));
    pending.clear();
  });
  let nextId = 1;
  const listen = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: ProxyReply) => {
      if (m.type === 'ready') resolve(m.listen);
      else if (m.type === 'failed') reject(new Error(`the chaos proxy process failed to start: ${m.message}`));
      else {
        pending.get(m.id)?.resolve();
        pending.delete(m.id);
      }
    });
    void exited.then(() => reject(new Error(`the chaos proxy process exited before listening (code ${child.exitCode})`)));
  });
  const request = (m: { type: 'stall'; latencyMs: number } | { type: 'heal' }): Promise<void> => {
    const id = nextId++;
    return new Promise<void>((resolve, reject) => {
      if (!child.connected) {
        reject(new Error('the chaos proxy process is gone'));
        return;
      }
      pending.set(id, { resolve, reject });
      child.send({ ...m, id });
    });
  };
  return {
    listen,
    pid: child.pid ?? -1,
    stall: (latencyMs) => request({ type: 'stall', latencyMs }),
    heal: () => request({ type: 'heal' }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}
