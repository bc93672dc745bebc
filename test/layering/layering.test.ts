/**
 * The repository's layering (.dependency-cruiser.mjs, also run by `npm run lint`): no cycles
 * between folders, shipped code never imports tests or benchmarks, tests never import benchmarks,
 * the library never imports the command, and the command and the library's modules reach other
 * modules only through their doors. The real tree passes; a small tree in a temporary folder
 * with one planted violation per rule fails with that rule — so each rule can fail.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
const CONFIG = join(REPO, '.dependency-cruiser.mjs');
const DEPCRUISE = join(REPO, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

/** Cruises `paths` from `cwd` with the repository's rules; the violations found. */
function violations(cwd: string, paths: string[]): Violation[] {
  const r = spawnSync(process.execPath, [DEPCRUISE, '--config', CONFIG, '--output-type', 'json', ...paths], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024, // the JSON of the whole repository passed 1 MiB (spawnSync's default) and was cut
  });
  assert.equal(r.error, undefined, `depcruise did not run: ${String(r.error)}`);
  assert.ok(r.stdout.trim().startsWith('{'), `depcruise did not report:\n${r.stderr}`);
  return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

test('the repository obeys its layering rules', () => {
  assert.deepEqual(
    violations(REPO, ['packages', 'test']).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`),
    [],
  );
});

const planted = mkdtempSync(join(tmpdir(), 'headroom-layering-'));
after(() => rmSync(planted, { recursive: true, force: true }));

function plant(files: Record<string, string>): void {
  for (const [path, code] of Object.entries(files)) {
    mkdirSync(dirname(join(planted, path)), { recursive: true });
    writeFileSync(join(planted, path), code);
  }
}

test('each rule fails on a planted violation, and a door import is allowed', () => {
  plant({
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
    // The library: two modules with their doors, a test helper and a benchmark.
    'packages/headroom/src/cache/index.ts': "export { cache } from './cache.js';\n",
    'packages/headroom/src/cache/cache.ts': 'export const cache = 1;\n',
    'packages/headroom/src/balance/index.ts': "export { cache } from '../cache/index.js';\n",
    'packages/headroom/src/balance/deep.ts': "export { cache } from '../cache/cache.js';\n", // modules-through-doors
    'packages/headroom/src/core/uses-test.ts': "export { helper } from '../../test/helper.js';\n", // src-not-to-test-or-bench
    'packages/headroom/src/core/uses-cli.ts': "export { lab } from '../../../cli/src/lab/lab.js';\n", // library-not-to-cli
    'packages/headroom/test/helper.ts': 'export const helper = 1;\n',
    'packages/headroom/test/uses-bench.test.ts': "export { trace } from '../bench/trace.js';\n", // test-not-to-bench
    'packages/headroom/bench/trace.ts': 'export const trace = 1;\n',
    // The command: the lab and the commands import each other's files (no module cycle, a folder cycle).
    'packages/cli/src/lab/lab.ts': "export { table } from '../commands/table.js';\n", // no-folder-cycles
    'packages/cli/src/commands/table.ts': 'export const table = 1;\n',
    'packages/cli/src/commands/run.ts': "export { lab } from '../lab/lab.js';\n",
    'packages/cli/src/deep.ts': "export { cache } from '../../headroom/src/cache/cache.js';\n", // cli-through-doors
    'packages/cli/src/door.ts': "export { cache } from '../../headroom/src/cache/index.js';\n", // allowed
  });
  const found = violations(planted, ['packages']);
  const byRule = new Map<string, string[]>();
  for (const v of found) byRule.set(v.rule.name, [...(byRule.get(v.rule.name) ?? []), `${v.from} → ${v.to}`]);
  const expected: Record<string, string> = {
    'no-folder-cycles': 'packages/cli/src/lab',
    'src-not-to-test-or-bench': 'packages/headroom/src/core/uses-test.ts → packages/headroom/test/helper.ts',
    'test-not-to-bench': 'packages/headroom/test/uses-bench.test.ts → packages/headroom/bench/trace.ts',
    'library-not-to-cli': 'packages/headroom/src/core/uses-cli.ts → packages/cli/src/lab/lab.ts',
    'cli-through-doors': 'packages/cli/src/deep.ts → packages/headroom/src/cache/cache.ts',
    'modules-through-doors': 'packages/headroom/src/balance/deep.ts → packages/headroom/src/cache/cache.ts',
  };
  for (const [rule, where] of Object.entries(expected)) {
    assert.ok(
      (byRule.get(rule) ?? []).some((v) => v.includes(where)),
      `${rule} did not fire on ${where}; found ${JSON.stringify(Object.fromEntries(byRule))}`,
    );
  }
  assert.ok(!found.some((v) => v.from === 'packages/cli/src/door.ts'), 'an import through a door is allowed');
});
