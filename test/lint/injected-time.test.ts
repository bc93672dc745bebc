import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: resolve(import.meta.dirname, '../..') });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

test('a planted Date.now(), performance.now(), Math.random() or setTimeout in src/ fails lint', async () => {
  const planted = [
    'export const t = Date.now();',
    'export const t = performance.now();',
    'export const r = Math.random();',
    'setTimeout(() => {}, 1);',
    'setInterval(() => {}, 1);',
    "import { setTimeout as wait } from 'node:timers/promises'; await wait(1);",
  ];
  for (const code of planted) {
    const ids = await ruleIds(code, 'packages/headroom/src/cache/planted.ts');
    assert.ok(
      ids.some((id) => id.startsWith('no-restricted')),
      `${code} → ${ids.join(',') || 'no error'}`,
    );
  }
});

test('the clock and random files, tests and benches may use them', async () => {
  assert.deepEqual(await ruleIds('export const t = Date.now();\n', 'packages/headroom/src/core/clock.ts'), []);
  assert.deepEqual(await ruleIds('export const r = Math.random();\n', 'packages/headroom/src/core/random.ts'), []);
  assert.deepEqual(await ruleIds('export const t = Date.now();\n', 'packages/headroom/test/core/x.test.ts'), []);
});

test('injected time passes lint in src/', async () => {
  assert.deepEqual(
    await ruleIds(
      'import type { Clock } from "../core/clock.js";\nexport const f = (c: Clock): number => c.now();\n',
      'packages/headroom/src/cache/ok.ts',
    ),
    [],
  );
});

test('a planted nextTick, queueMicrotask, setImmediate or randomUUID in policy code fails lint', async () => {
  const planted = [
    'process.nextTick(() => {});',
    'queueMicrotask(() => {});',
    'globalThis.queueMicrotask(() => {});',
    'setImmediate(() => {});',
    'globalThis.setImmediate(() => {});',
    "import { randomUUID } from 'node:crypto'; export const id = randomUUID();",
    "import { randomUUID } from 'crypto'; export const id = randomUUID();",
    'export const id = crypto.randomUUID();',
    "import * as crypto from 'node:crypto'; export const id = crypto.randomUUID();",
  ];
  for (const file of [
    'packages/headroom/src/cache/planted.ts',
    'packages/headroom/src/core/planted.ts',
    'packages/cli/src/lab/planted.ts',
  ]) {
    for (const code of planted) {
      const ids = await ruleIds(code, file);
      assert.ok(
        ids.some((id) => id.startsWith('no-restricted')),
        `${file}: ${code} → ${ids.join(',') || 'no error'}`,
      );
    }
  }
});

test('adapters may use nextTick, setImmediate and randomUUID (they talk to real sockets and other processes), but still not the real clock', async () => {
  const file = 'packages/headroom/src/cache/adapters/planted.ts';
  assert.deepEqual(await ruleIds('process.nextTick(() => {});\nsetImmediate(() => {});\n', file), []);
  assert.deepEqual(await ruleIds("import { randomUUID } from 'node:crypto';\nexport const id = randomUUID();\n", file), []);
  assert.ok((await ruleIds('export const t = Date.now();\n', file)).includes('no-restricted-properties'));
  // The virtual clock drains promise chains with setImmediate; it reads no real time either.
  assert.deepEqual(await ruleIds('setImmediate(() => {});\n', 'packages/headroom/src/core/virtual-clock.ts'), []);
  assert.ok(
    (await ruleIds('export const t = Date.now();\n', 'packages/headroom/src/core/virtual-clock.ts')).includes('no-restricted-properties'),
  );
});
