/**
 * Real redis-server processes for the tests, each in its own temp dir, stopped by pid, on a free
 * loopback port the OS picks (port 0: test files then run at once, with each other and with other
 * checkouts' runs) or on a fixed one of 7101–7106 (held under `flock /tmp/hr-ports.lock`). A
 * server can be frozen (SIGSTOP) and thawed (SIGCONT): its sockets stay open, commands queue up
 * unanswered, and run late once it resumes — a stall, not a lost connection.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
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

/** A TLS-only server's PEM files: it then listens with TLS on its port, and on no plain TCP port. */
export interface RedisTlsFiles {
  readonly cert: string;
  readonly key: string;
  /** The CA that signed `cert`: redis-cli trusts it when checking the server is up. */
  readonly ca: string;
}

/**
 * Starts redis-server in a temp dir on `port`: 0 for a free port the OS picks (another is tried
 * when a different process takes it first), or 7101–7106.
 * @param pingArgs - extra redis-cli arguments to reach it (auth) when checking it is up
 * @param tls - serve TLS only, with these files (clients do not need certificates)
 */
export async function startRedis(
  requestedPort: number,
  extraArgs: readonly string[] = [],
  pingArgs: readonly string[] = [],
  tls?: RedisTlsFiles,
): Promise<OwnRedis> {
  if (requestedPort !== 0 && (requestedPort < 7101 || requestedPort > 7106))
    throw new Error(`port ${requestedPort} is outside the cache tests' range 7101–7106 (pass 0 for a free one)`);
  let port = requestedPort;
  const dir = mkdtempSync(join(tmpdir(), 'hr-redis-'));
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const tlsArgs = (files: RedisTlsFiles): string[] => [
      '--tls-cert-file',
      files.cert,
      '--tls-key-file',
      files.key,
      '--tls-ca-cert-file',
      files.ca,
      '--tls-auth-clients',
      'no',
    ];
    const portArgs = tls === undefined ? ['--port', String(port)] : ['--port', '0', '--tls-port', String(port), ...tlsArgs(tls)];
    const reach = tls === undefined ? pingArgs : [...pingArgs, '--tls', '--cacert', tls.ca];
    const started = spawn(
      'redis-server',
      [...portArgs, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extraArgs],
      { stdio: 'ignore' },
    );
    child = started;
    await waitFor(async () => {
      if (started.exitCode !== null || started.signalCode !== null) throw new PortTaken(port);
      return ping(port, reach);
    }, `redis-server on port ${port} did not start`);
  };
  const exit = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(signal);
    await exited;
  };
  for (let attempt = 1; ; attempt++) {
    if (requestedPort === 0) port = await freePort();
    try {
      await launch();
      break;
    } catch (error) {
      await exit('SIGKILL');
      if (!(error instanceof PortTaken) || requestedPort !== 0 || attempt === 3) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
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

/** A Redis Cluster this test started. */
export interface OwnCluster {
  readonly nodes: readonly OwnRedis[];
  /** A node's URL: where a cluster client starts (see {@link connectCluster}). */
  readonly url: string;
  /** Stops every node and removes their directories. */
  stop(): Promise<void>;
}

/**
 * A 3-master Redis Cluster (no replicas) on free ports, its cluster bus on free ports too. It is
 * returned once *every* node reports `cluster_state:ok`, knows all three nodes, sees all 16,384
 * slots served, and gives the same slot map: a node that has not yet heard of the others' slots
 * answers CLUSTERDOWN, and a client may start on any of them. The node timeout (15 s) is far
 * above any stall a busy test machine gives a healthy process, so no node is failed mid-test.
 */
export async function startCluster(): Promise<OwnCluster> {
  const nodes: OwnRedis[] = [];
  const stop = async (): Promise<void> => void (await Promise.all(nodes.map((n) => n.stop())));
  try {
    for (const busPort of await freePorts(3)) {
      const settings = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '15000'];
      nodes.push(await startRedis(0, [...settings, '--cluster-port', String(busPort)]));
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
    });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    await waitFor(async () => clusterSettled(nodes), 'not every cluster node reached cluster_state:ok with one slot map', 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, url: nodes[0]!.url, stop };
}

/** Whether every node is ok, knows the other two, serves all slots, and gives the same slot map. */
function clusterSettled(nodes: readonly OwnRedis[]): boolean {
  const cli = (port: number, ...args: string[]): string =>
    spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout;
  const maps = new Set<string>();
  for (const node of nodes) {
    const info = cli(node.port, 'cluster', 'info');
    const settled =
      info.includes('cluster_state:ok') &&
      info.includes(`cluster_known_nodes:${nodes.length}`) &&
      info.includes(`cluster_size:${nodes.length}`) &&
      info.includes('cluster_slots_ok:16384');
    if (!settled) return false;
    maps.add(cli(node.port, 'cluster', 'slots'));
  }
  return maps.size === 1;
}

/**
 * A connected client that fails fast while disconnected (no offline queue). A reconnect that
 * `close()` could not stop (node-redis 5 lets one whose connect is in flight come up) is unref'd,
 * as docs/cache.md shows, so a test file that restarts Redis still exits.
 */
export async function connectClient(url: string): Promise<ReturnType<typeof createClient>> {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(50 + retries * 20, 200) },
  });
  client.on('error', () => {});
  client.on('connect', () => {
    if (!client.isOpen) client.unref();
  });
  await client.connect();
  return client;
}

/** A connected cluster client of the test cluster whose node is at `url` ({@link OwnCluster.url}). */
export async function connectCluster(url: string): Promise<ReturnType<typeof createCluster>> {
  const cluster = createCluster({ rootNodes: [{ url }], defaults: { disableOfflineQueue: true } });
  cluster.on('error', () => {});
  await cluster.connect();
  return cluster;
}

/** A loopback port nobody listens on right now (the OS picks it; there is a small race until redis binds it). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** `count` distinct loopback ports nobody listens on right now (held open together, then released). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** redis-server exited while starting: another process took its port first. */
class PortTaken extends Error {
  constructor(port: number) {
    super(`redis-server exited while starting on port ${port} (another process took the port, or an option is wrong)`);
  }
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
