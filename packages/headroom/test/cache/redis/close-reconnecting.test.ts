/**
 * Shutting down while a Redis connection is reconnecting — its TCP connect in flight — still lets
 * the process exit. node-redis 5 does not abort such a connect when the client is closed: the
 * socket comes up anyway, completes its handshake and holds the process open (the last `close()`
 * having resolved long before). The tier therefore waits for its own connections' attempts to
 * settle before closing them (a cache's tier, a durable write-behind queue's reader, a scale
 * worker's blocking connection); for the user's client, docs/cache.md gives a line that unrefs a
 * connection coming up after `close()`. Each case runs a process in a network namespace of its own
 * (root only; skipped elsewhere), with its own redis-server, and drops SYNs with iptables there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { NetworkLab } from '../../../src/chaos/index.js';

const unavailable = await NetworkLab.unavailable();
const skip = unavailable === undefined ? false : `network namespaces: ${unavailable}`;
const CHILD = fileURLToPath(new URL('./close-reconnecting-child.ts', import.meta.url));
const URL_IN_NAMESPACE = 'redis://127.0.0.1:6379';

interface Run {
  /** Exit code, or null when the process was still alive `aliveMs` after it printed "shut down" (then killed). */
  code: number | null;
  out: string;
}

async function shutDown(lab: NetworkLab, library: string, mode: string, aliveMs: number): Promise<Run> {
  const child = lab.spawn('a', process.execPath, ['--import', 'tsx', CHILD, URL_IN_NAMESPACE, library, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let late: NodeJS.Timeout | undefined;
  const watch = setInterval(() => {
    if (late === undefined && out.includes('shut down')) late = setTimeout(() => child.kill('SIGKILL'), aliveMs);
  }, 20);
  const code = await exited;
  clearTimeout(deadline);
  clearTimeout(late);
  clearInterval(watch);
  await lab.heal(); // a process that died before letting SYNs through again leaves no rule for the next
  return { code, out };
}

test('closing while a connection reconnects: the process still exits', { skip, timeout: 120_000 }, async (t) => {
  const lab = await NetworkLab.create();
  try {
    lab.spawn('a', 'redis-server', ['--port', '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });

    const cases = [
      ['node-redis', 'tier', "cache.close() while the tier's own connections reconnect"],
      ['ioredis', 'tier', "cache.close() while the tier's own connections reconnect"],
      ['node-redis', 'write-behind', "a durable write-behind queue's close() while its stream reader reconnects"],
      ['node-redis', 'worker', "a scale worker's stop while its blocking connection reconnects"],
    ] as const;
    for (const [library, mode, what] of cases)
      await t.test(`${library}: ${what}`, async () => {
        const run = await shutDown(lab, library, mode, 5_000);
        assert.match(run.out, /broke [1-9]\d* connection\(s\)/, run.out);
        assert.equal(run.code, 0, `still alive 5 s after shutting down (or failed):\n${run.out}`);
        assert.match(run.out, new RegExp(`${mode} closed in \\d+ ms\nshut down`));
      });

    await t.test("node-redis: the user's client.close() while it reconnects, with the docs' line", async () => {
      const run = await shutDown(lab, 'node-redis', 'client', 5_000);
      assert.match(run.out, /the user client connected after close\(\)/, `the race was not reached:\n${run.out}`);
      assert.equal(run.code, 0, `still alive 5 s after shutting down (or failed):\n${run.out}`);
    });

    await t.test('node-redis: without that line, the connection that came up holds the process (why the line is there)', async () => {
      const run = await shutDown(lab, 'node-redis', 'client-unguarded', 3_000);
      assert.match(run.out, /the user client connected after close\(\)/, `the race was not reached:\n${run.out}`);
      assert.equal(
        run.code,
        null,
        `it exited by itself (code ${run.code}): node-redis may now abort a connect on close(), and the docs' line can go:\n${run.out}`,
      );
    });
  } finally {
    await lab.close();
  }
});
