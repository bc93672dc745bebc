/**
 * The processes proxy-overhead.bench.ts measures: the echo server, our chaos proxy, and peers in
 * front of the same echo server — a plain node:net `pipe()` proxy (the floor for a Node proxy),
 * socat (a process per connection, in C) and HAProxy in TCP mode (event loop in C, with 1 and with
 * 2 threads). A peer whose program is not installed is skipped with one line on stderr.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A running process that accepts connections at `address` (`host:port`). */
export interface Target {
  readonly name: string;
  readonly address: string;
  readonly pid: number;
  stop(): void;
}

/** Starts a bench child (a .ts file beside this one); resolves with the first line it prints. */
export function nodeChild(name: string, file: string, args: string[] = []): Promise<Target & { line: string }> {
  const proc = spawn(
    process.execPath,
    ['--conditions=headroom-source', '--import', 'tsx', fileURLToPath(new URL(file, import.meta.url)), ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', (line) =>
      resolve({ name, line: line.trim(), address: line.trim(), pid: proc.pid!, stop: () => proc.kill() }),
    );
    proc.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

function installed(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
}

/** A free loopback port (bound then released; the peer binds it next). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

/** Resolves once `port` accepts a TCP connection (the peer is up), or rejects after ~5 s. */
async function waitForPort(port: number, proc: ChildProcess, name: string): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not listen on 127.0.0.1:${port}`);
}

async function external(
  name: string,
  program: string,
  args: (port: number) => string[],
  cleanup = (): void => undefined,
): Promise<Target | undefined> {
  if (!installed(program)) {
    process.stderr.write(`  ${name}: skipped, \`${program}\` is not installed\n`);
    return undefined;
  }
  const port = await freePort();
  const proc = spawn(program, args(port), { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port, proc, name);
  return {
    name,
    address: `127.0.0.1:${port}`,
    pid: proc.pid!,
    stop: () => {
      proc.kill();
      cleanup();
    },
  };
}

/**
 * socat forking a process per connection, TCP_NODELAY both sides. Its listen backlog is raised
 * from 5: with 100 connections opened at once the rest overflowed and some never got a process.
 */
export function socat(echoPort: number): Promise<Target | undefined> {
  return external('socat', 'socat', (port) => [
    `TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr,nodelay,backlog=512`,
    `TCP:127.0.0.1:${echoPort},nodelay`,
  ]);
}

/** HAProxy 'mode tcp' with `threads` threads, in the foreground, config in a temporary folder. */
export function haproxy(echoPort: number, threads: number): Promise<Target | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'hr-bench-haproxy-'));
  const config = join(dir, 'haproxy.cfg');
  return external(
    `haproxy ${threads} thread${threads === 1 ? '' : 's'}`,
    'haproxy',
    (port) => {
      writeFileSync(
        config,
        [
          'global',
          `  nbthread ${threads}`,
          '  maxconn 2000',
          'defaults',
          '  mode tcp',
          '  timeout connect 5s',
          '  timeout client 60s',
          '  timeout server 60s',
          'listen echo',
          `  bind 127.0.0.1:${port}`,
          `  server echo 127.0.0.1:${echoPort}`,
          '',
        ].join('\n'),
      );
      return ['-db', '-f', config];
    },
    () => rmSync(dir, { recursive: true, force: true }),
  );
}

const TICK_US = 1e6 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

/** CPU time (user + system, µs) of `pid` and its child processes (socat's per-connection forks), from /proc. */
export function treeCpuUs(pid: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    if (Number(entry) !== pid && ppid !== pid) continue;
    total += (Number(fields[11]) + Number(fields[12])) * TICK_US;
  }
  return total;
}
