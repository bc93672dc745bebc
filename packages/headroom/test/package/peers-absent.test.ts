/**
 * The library works for a project that installed none of its optional peers (redis, ioredis,
 * undici, fastify): every door imports, the in-process cache works, and what needs a peer says
 * which one and how to install it — when it is created, not when its door is imported. Runs from
 * the TypeScript sources in a child process in which those packages cannot be resolved
 * (block-peers.mjs); packed-install.test.ts checks the same of the packed library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PEERS = ['redis', 'ioredis', 'undici', 'fastify'];

test('every door imports, and the in-process cache runs, with redis, ioredis, undici and fastify absent', () => {
  const r = spawnSync(
    process.execPath,
    [
      '--conditions=headroom-source',
      '--import',
      import.meta.resolve('tsx'),
      '--import',
      import.meta.resolve('./block-peers.mjs'),
      fileURLToPath(new URL('./doors-without-peers.mts', import.meta.url)),
    ],
    { encoding: 'utf8', env: { ...process.env, HEADROOM_BLOCKED_PEERS: PEERS.join(',') } },
  );
  assert.equal(r.status, 0, `the child failed:\n${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
    imported: string[];
    loaded: string;
    blockedImport: string;
    dispatcher: { code: string; message: string } | null;
    probe: { code: string; message: string } | null;
    tied: { code: string; message: string } | null;
  };
  assert.deepEqual(result.imported, [
    'headroom',
    'headroom/cache',
    'headroom/partition',
    'headroom/balance',
    'headroom/latency',
    'headroom/chaos',
    'headroom/scale',
    'headroom/sim',
  ]);
  assert.equal(result.loaded, 'v');
  // The blocker really hides them (so the imports above did succeed without them).
  assert.equal(result.blockedImport, 'ERR_MODULE_NOT_FOUND');
  for (const [what, error] of [
    ['BalancedDispatcher', result.dispatcher],
    ['httpProbe', result.probe],
    ['TiedHttpServer', result.tied],
  ] as const) {
    assert.ok(error !== null, `${what} was created without undici`);
    assert.equal(error.code, 'HR_CORE_PEER_MISSING', `${what}: ${error.message}`);
    assert.match(error.message, new RegExp(`${what}.*'undici'.*npm install undici`), `${what}: ${error.message}`);
  }
});
