/**
 * Multi-host runs through Redis over TLS (`rediss://`), on loopback: this test's own redis-server
 * with a TLS port only (a free one), its certificate signed by a CA made here with openssl. A
 * worker and the coordinator that trust the CA (NODE_EXTRA_CA_CERTS) run one share through it; a
 * worker that does not trust it is refused with the clear error. Skipped, with one line saying why, when redis-server was built
 * without TLS or openssl is missing. Nothing here asserts a speed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCountingServer, type CountingServer } from '@headroom/testkit/counting-server';
import { freePort } from '@headroom/testkit/redis-servers';
import { commandArgs } from '../command.js';

let port = 0;
let rediss = '';
let dir = '';
let redis: ChildProcess | null = null;
let skip: string | false = false;
let server: CountingServer | undefined;

function run(file: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { cwd }, (error, _out, stderr) => (error ? reject(new Error(`${file}: ${error.message} ${stderr}`)) : resolve())),
  );
}

/** A CA and a server certificate for 127.0.0.1 signed by it, in `dir`. */
async function makeCertificates(): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=headroom-test-ca'], dir);
  await run('openssl', ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await run(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '1',
    ].concat(['-extfile', 'san.ext']),
    dir,
  );
}

/** Starts redis-server with only a TLS port; resolves with why it cannot, or null. */
function startTlsRedis(): Promise<string | null> {
  const args = ['--port', '0', '--tls-port', String(port), '--tls-cert-file', 'server.pem', '--tls-key-file', 'server.key'].concat([
    '--tls-ca-cert-file',
    'ca.pem',
    '--tls-auth-clients',
    'no',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ]);
  const child = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  redis = child;
  let output = '';
  return new Promise((resolve) => {
    const seen = (d: Buffer): void => {
      output += d.toString();
      if (/Ready to accept connections/.test(output)) resolve(null);
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('error', (e) => resolve(`cannot start redis-server (${e.message})`));
    child.once('exit', () => {
      redis = null;
      resolve(
        /TLS|tls/.test(output) ? `this redis-server has no TLS (${output.trim().split('\n').pop()})` : `redis-server exited: ${output}`,
      );
    });
  });
}

interface Exited {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function headroom(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Exited> {
  const child = spawn(process.execPath, commandArgs(...args), { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, stdout, stderr })));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hr-scale-tls-'));
  try {
    await makeCertificates();
  } catch (error) {
    skip = `openssl could not make the test certificates (${(error as Error).message.split('\n')[0]})`;
    return;
  }
  port = await freePort();
  rediss = `rediss://127.0.0.1:${port}`;
  const why = await startTlsRedis();
  if (why !== null) skip = why;
  server = await startCountingServer();
});

after(async () => {
  if (redis !== null) {
    const exited = new Promise((resolve) => redis!.once('exit', resolve));
    redis.kill('SIGTERM');
    await exited;
  }
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

test('rediss://: a worker and the coordinator that trust the CA run a share over TLS; one that does not is refused clearly', async (t) => {
  if (skip !== false) {
    t.skip(skip);
    return;
  }
  const trust = { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') };
  const prefix = `headroom-test:scale-tls:${process.pid}`;
  const worker = headroom(trust, 'scale', 'worker', '--redis', rediss, '--prefix', prefix, '--name', 'tls0', '--once');
  const servedBefore = server!.served;
  const coordinator = await headroom(
    trust,
    'scale',
    'run',
    server!.url,
    '--concurrency',
    '2',
    '--duration',
    '500ms',
    '--redis',
    rediss,
    '--expect-workers',
    '1',
    '--prefix',
    prefix,
    '--join-timeout',
    '20s',
    '--json',
  );
  assert.equal(coordinator.status, 0, coordinator.stderr);
  const out = JSON.parse(coordinator.stdout) as {
    ok: number;
    latencyMs: { count: number };
    workers: { name: string; lost: string | null }[];
  };
  assert.deepEqual(
    out.workers.map((w) => [w.name, w.lost]),
    [['tls0', null]],
  );
  const served = server!.served - servedBefore;
  assert.ok(out.ok > 0 && out.ok === served && out.latencyMs.count === out.ok, JSON.stringify({ ok: out.ok, served }));
  assert.equal((await worker).status, 0);
  // Without the CA the certificate is not trusted: the connection is refused, with the reason.
  const untrusting = await headroom({ NODE_EXTRA_CA_CERTS: '' }, 'scale', 'worker', '--redis', rediss, '--prefix', prefix, '--once');
  assert.equal(untrusting.status, 1);
  assert.match(untrusting.stderr, new RegExp(`cannot connect to Redis at rediss://127\\.0\\.0\\.1:${port}: .*certificate`));
});
