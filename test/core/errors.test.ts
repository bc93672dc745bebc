import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HeadroomError, InvalidOptionError, LoadShedError, isHeadroomError, toError } from '../../src/core/errors.js';

test('brand survives duplicate installs: a structurally branded object is recognised', () => {
  const e = new InvalidOptionError('ttl', -1, 'use a positive number');
  assert.ok(e instanceof HeadroomError);
  assert.ok(e instanceof InvalidOptionError);
  assert.ok(!(e instanceof LoadShedError));
  assert.ok(isHeadroomError(e, 'HR_CORE_INVALID_OPTION'));
  assert.ok(!isHeadroomError(e, 'HR_OTHER'));
  const foreign = Object.assign(new Error('x'), { code: 'HR_X' });
  Object.defineProperty(foreign, Symbol.for('headroom.error'), { value: true });
  assert.ok(foreign instanceof HeadroomError);
  assert.ok(!isHeadroomError(new Error('plain')));
  assert.match(e.message, /ttl.*-1.*positive/);
});

test('LoadShedError carries retryAfterMs; toError wraps non-Errors', () => {
  const shed = new LoadShedError('busy', 250);
  assert.equal(shed.retryAfterMs, 250);
  assert.equal(shed.details['retryAfterMs'], 250);
  const wrapped = toError('oops', 'loader');
  assert.ok(isHeadroomError(wrapped, 'HR_CORE_NON_ERROR_THROWN'));
  assert.equal((wrapped as HeadroomError).cause, 'oops');
  const real = new Error('x');
  assert.equal(toError(real, 'loader'), real);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('docs/errors.md lists exactly the error codes used in src/', () => {
  const inCode = new Set<string>();
  for (const file of sourceFiles('src')) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`](HR_[A-Z0-9_]+)['"`]/g)) inCode.add(m[1]!);
  }
  const inDocs = new Set<string>();
  for (const m of readFileSync('docs/errors.md', 'utf8').matchAll(/^\|\s*`(HR_[A-Z0-9_]+)`/gm)) inDocs.add(m[1]!);
  const undocumented = [...inCode].filter((c) => !inDocs.has(c)).sort();
  const stale = [...inDocs].filter((c) => !inCode.has(c)).sort();
  assert.deepEqual({ undocumented, stale }, { undocumented: [], stale: [] });
});
