/** Parent side of backend.child.ts: start a backend in its own process and query it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildBackendConfig } from './backend.child.js';
import type { TiedHttpServerStats } from '../../src/latency/index.js';

/** Counters a child backend reports. */
export interface ChildStats {
  readonly executed: number;
  readonly received: number;
  /** Requests answered 504 unexecuted by a deadline-aware server. */
  readonly dropped: number;
  /** Process-wide pauses taken so far. */
  readonly pauses: number;
  readonly tied: TiedHttpServerStats | undefined;
  /** Limits sampled every 50 ms since the last stats call. */
  readonly limits: number[];
}

/** A backend running in a child process. */
export interface ChildBackend {
  readonly origin: string;
  stats(): Promise<ChildStats>;
  setPeers(peers: readonly string[]): void;
  close(): Promise<void>;
}

const entry = fileURLToPath(new URL('./backend.child.ts', import.meta.url));

export async function startChildBackend(config: ChildBackendConfig): Promise<ChildBackend> {
  const child: ChildProcess = fork(entry, [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const origin = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { origin: string }) => resolve(m.origin));
    child.once('exit', (code) => reject(new Error(`backend child exited with ${code}`)));
  });
  return {
    origin,
    stats: () =>
      new Promise<ChildStats>((resolve) => {
        child.once('message', (m: ChildStats & { type: string }) => resolve(m));
        child.send({ type: 'stats' });
      }),
    setPeers: (peers) => {
      child.send({ type: 'peers', peers });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.send({ type: 'close' });
      }),
  };
}
