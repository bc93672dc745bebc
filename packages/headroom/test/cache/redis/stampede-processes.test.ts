/**
 * Stampede across processes: 4 processes × 1,000 concurrent getOrLoad of one missing key,
 * against the machine's Redis. The loader counts its runs in Redis: it must run once in total.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SHARED_REDIS_URL, connectClient, uniquePrefix } from '@headroom/testkit/redis-servers';

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

test('4 processes × 1,000 concurrent getOrLoad of one missing key → the loader runs once in total', async () => {
  const prefix = uniquePrefix('stampede');
  const script = fileURLToPath(new URL('./stampede-child.ts', import.meta.url));
  const spawned = Array.from({ length: 4 }, () =>
    fork(script, [SHARED_REDIS_URL, prefix, '1000'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }),
  );
  children.push(...spawned);
  const next = (child: ChildProcess, type: string): Promise<Record<string, number>> =>
    new Promise((resolve, reject) => {
      child.on('message', (m: { type: string }) => {
        if (m.type === type) resolve(m as unknown as Record<string, number>);
      });
      child.once('exit', (code) => reject(new Error(`child exited with ${code} before ${type}`)));
    });
  await Promise.all(spawned.map((c) => next(c, 'ready')));
  const done = spawned.map((c) => next(c, 'done'));
  for (const child of spawned) child.send('go');
  const results = await Promise.all(done);
  const admin = await connectClient(SHARED_REDIS_URL);
  const loads = Number(await admin.get(`${prefix}:loads`));
  for await (const keys of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) if (keys.length > 0) await admin.del(keys);
  await admin.close();
  assert.equal(loads, 1);
  assert.deepEqual(
    results.map((r) => r['correct']),
    [1000, 1000, 1000, 1000],
  );
});
