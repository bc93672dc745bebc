/**
 * keySlot against the real thing: a cluster-enabled redis-server started by this test on a free
 * loopback port answers CLUSTER KEYSLOT for thousands of keys (ASCII, Unicode, lone surrogates as
 * Buffer.from encodes them, raw bytes, every hash-tag shape). The standalone Redis on 6379 cannot
 * answer (cluster support disabled), so the test starts its own; it FAILS if redis-server is missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '../../src/core/random.js';
import { keySlot } from '../../src/partition/index.js';

let server: ChildProcess | undefined;
let dir = '';
let port = 0;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port: p } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return p;
}

async function connect(): Promise<Socket> {
  const deadline = performance.now() + 30_000; // redis-server listens within moments; a busy machine may take seconds
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = createConnection({ host: '127.0.0.1', port }, () => resolve(s));
        s.once('error', reject);
      });
    } catch (e) {
      if (performance.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50)); // waiting for the child process to listen
    }
  }
}

function command(args: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) parts.push(Buffer.from(`$${a.length}\r\n`), Buffer.from(a), Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** Sends CLUSTER KEYSLOT for every key in one pipeline; returns the integer replies in order. */
async function clusterKeySlots(keys: readonly Uint8Array[]): Promise<number[]> {
  const socket = await connect();
  try {
    const replies: number[] = [];
    let pending = '';
    const done = new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        let nl: number;
        while ((nl = pending.indexOf('\r\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 2);
          if (line[0] !== ':') {
            reject(new Error(`unexpected reply ${line}`));
            return;
          }
          replies.push(Number(line.slice(1)));
        }
        if (replies.length === keys.length) resolve();
      });
      socket.once('error', reject);
    });
    const cmd = [Buffer.from('CLUSTER'), Buffer.from('KEYSLOT')];
    socket.write(Buffer.concat(keys.map((k) => command([...cmd, k]))));
    await done;
    return replies;
  } finally {
    socket.destroy();
  }
}

before(async () => {
  port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'headroom-keyslot-'));
  server = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: 'ignore' },
  );
  await new Promise<void>((resolve, reject) => {
    server!.once('error', (e) => reject(new Error(`cannot start redis-server (is it installed?): ${e.message}`)));
    server!.once('spawn', () => resolve());
  });
});

after(() => {
  server?.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('keySlot equals CLUSTER KEYSLOT of a real redis-server for 4000 varied keys', async () => {
  const random = new SeededRandom(5);
  const pieces = ['{', '}', '{}', 'user', ':', '42', 'é', 'ключ', '😀', '\ud800', '\udc00', 'tag', ''];
  const strings: string[] = ['foo{}{bar}', 'foo{{bar}}zap', 'foo{bar}{zap}', '{}', '{', '}', '', 'somekey', 'foo{hash_tag}'];
  while (strings.length < 3000) {
    let s = '';
    for (let n = random.int(7); n >= 0; n--) s += pieces[random.int(pieces.length)]!;
    strings.push(s);
  }
  const bytes: Uint8Array[] = [];
  while (bytes.length < 1000) {
    const b = new Uint8Array(random.int(12));
    for (let i = 0; i < b.length; i++) b[i] = random.chance(0.3) ? (random.chance(0.5) ? 0x7b : 0x7d) : random.int(256);
    bytes.push(b);
  }
  // What a client puts on the wire for a string key is Buffer.from(key) (lone surrogates → U+FFFD).
  const wire = [...strings.map((s) => Buffer.from(s)), ...bytes];
  const redis = await clusterKeySlots(wire);
  const ours = [...strings.map((s) => keySlot(s)), ...bytes.map((b) => keySlot(b))];
  const mismatches = ours.flatMap((slot, i) =>
    slot === redis[i]
      ? []
      : [{ key: i < strings.length ? strings[i] : Buffer.from(wire[i]!).toString('hex'), ours: slot, redis: redis[i] }],
  );
  assert.deepEqual(mismatches.slice(0, 5), []);
  assert.equal(redis.length, 4000);
});
