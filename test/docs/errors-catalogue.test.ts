/**
 * The error catalogue is honest: every code the library or the command throws is listed in
 * docs/errors.md, and every code listed there is still used.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('docs/errors.md lists exactly the error codes used in the sources of every package', () => {
  const inCode = new Set<string>();
  for (const file of ['packages/headroom/src', 'packages/cli/src'].flatMap((dir) => sourceFiles(join(REPO, dir)))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`](HR_[A-Z0-9_]+)['"`]/g)) inCode.add(m[1]!);
  }
  const inDocs = new Set<string>();
  for (const m of readFileSync(join(REPO, 'docs/errors.md'), 'utf8').matchAll(/^\|\s*`(HR_[A-Z0-9_]+)`/gm)) inDocs.add(m[1]!);
  const undocumented = [...inCode].filter((c) => !inDocs.has(c)).sort();
  const stale = [...inDocs].filter((c) => !inCode.has(c)).sort();
  assert.deepEqual({ undocumented, stale }, { undocumented: [], stale: [] });
});
