import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./seeded-choice.child.ts', import.meta.url));

async function chosen(seed: number, randomSeed: number): Promise<string[]> {
  const { stdout } = await run(process.execPath, [
    '--conditions=headroom-source',
    '--import',
    'tsx',
    child,
    String(seed),
    String(randomSeed),
  ]);
  return JSON.parse(stdout) as string[];
}

test('the same seed selects the same keys in two processes; another seed selects others', { timeout: 60_000 }, async () => {
  const [a, b, c] = await Promise.all([chosen(42, 1), chosen(42, 999), chosen(43, 1)]);
  assert.deepEqual(a, b);
  // 5% of 2000 keys: 100 expected; 4 sigma is about 39.
  assert.ok(a.length > 60 && a.length < 140, `chose ${a.length}`);
  const overlap = a.filter((k) => c.includes(k)).length;
  assert.ok(overlap < a.length / 2, `seeds 42 and 43 share ${overlap} of ${a.length} keys`);
});
