/**
 * Real redis-server processes for the cache's Redis tests, on the loopback ports reserved for
 * this module (7101–7106) or on a free port the OS picks (port 0), each in its own temp dir,
 * stopped by pid. A server can be frozen (SIGSTOP) and thawed (SIGCONT): its sockets stay open,
 * commands queue up unanswered, and run late once it resumes — a stall, not a lost connection.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createClient, createCluster } from 'redis';

/** A redis-server this test started. */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGKILL: like a crash) and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory. */
  restart(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  freeze(): void;
  /** Resumes a frozen process (SIGCONT): the commands sent meanwhile run now, late. */
  thaw(): void;
  /** Stops it for good and removes its directory. */
  stop(): Promise<void>;
}

export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

/** A prefix unique to this test run (the shared Redis is used by other helpers too). */
export function uniquePrefix(label: string): string {
  return `hrtest-${label}-${randomUUID().slice(0, 8)}`;
}

/**
 * Starts redis-server on `port` (7101–7106, or 0 for a free port the OS picks) in a temp dir.
 * @param pingArgs - extra redis-cli arguments to reach it (auth, TLS) when checking it is up
 */
export async function startRedis(
  requestedPort: number,
  extraArgs: readonly string[] = [],
  pingArgs: readonly string[] = [],
): Promise<OwnRedis> {
  if (requestedPort !== 0 && (requestedPort < 7101 || requestedPort > 7106))
    throw new Error(`port ${requestedPort} is outside the cache tests' range 7101–7106 (pass 0 for a free one)`);
  const port = requestedPort === 0 ? await freePort() : requestedPort;
  const dir = mkdtempSync(join(tmpdir(), `hr-redis-${port}-`));
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const portArgs = extraArgs.includes('--tls-port') ? ['--port', '0'] : ['--port', String(port)];
    child = spawn('redis-server', [...portArgs, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extraArgs], {
      stdio: 'ignore',
    });
    await waitFor(async () => ping(port, pingArgs), `redis-server on port ${port} did not start`);
  };
  const exit = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(signal);
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: () => exit('SIGKILL'),
    restart: launch,
    freeze: () => {
      if (child?.pid === undefined || !child.kill('SIGSTOP')) throw new Error(`could not freeze redis-server on port ${port}`);
    },
    thaw: () => {
      if (child?.pid === undefined || !child.kill('SIGCONT')) throw new Error(`could not thaw redis-server on port ${port}`);
    },
    stop: async () => {
      child?.kill('SIGCONT'); // a frozen process still dies of SIGKILL, but be explicit
      await exit('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A 3-master Redis Cluster on ports 7101–7103 (no replicas). */
export async function startCluster(): Promise<{ nodes: OwnRedis[]; stop(): Promise<void> }> {
  const ports = [7101, 7102, 7103];
  const nodes = await Promise.all(
    ports.map((port) =>
      startRedis(port, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000']),
    ),
  );
  const created = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8' },
  );
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  await waitFor(async () => {
    const info = spawnSync('redis-cli', ['-p', '7101', 'cluster', 'info'], { encoding: 'utf8' }).stdout;
    return info.includes('cluster_state:ok');
  }, 'the cluster did not reach cluster_state:ok');
  return {
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}

/** A connected client that fails fast while disconnected (no offline queue). */
export async function connectClient(url: string): Promise<ReturnType<typeof createClient>> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(50 + retries * 20, 200) },
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** A connected cluster client over the test cluster. */
export async function connectCluster(): Promise<ReturnType<typeof createCluster>> {
  const cluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7101' }], defaults: { disableOfflineQueue: true } });
  cluster.on('error', () => {});
  await cluster.connect();
  return cluster;
}

/** A loopback port nobody listens on right now (the OS picks it; there is a small race until redis binds it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function ping(port: number, extra: readonly string[] = []): Promise<boolean> {
  return spawnSync('redis-cli', ['-p', String(port), ...extra, 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';
}

async function waitFor(check: () => Promise<boolean>, message: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(message);
}
