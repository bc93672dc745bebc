/** The Chromium lookup of the browser test and `headroom doctor`, on real folders. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from '../src/chromium.js';
import { commandArgs } from './command.js';

const home = mkdtempSync(join(tmpdir(), 'headroom-chromium-'));
after(() => rmSync(home, { recursive: true, force: true }));

function binary(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

test("CHROME_PATH first, then the system paths, then the newest browser in Playwright's cache", () => {
  const system = binary(join(home, 'usr-bin', 'chromium'));
  const chromePath = binary(join(home, 'custom', 'chrome'));
  const old = binary(join(home, '.cache', 'ms-playwright', 'chromium-1100', 'chrome-linux', 'chrome'));
  const newest = binary(join(home, '.cache', 'ms-playwright', 'chromium-1255', 'chrome-linux64', 'chrome'));
  assert.deepEqual(findChromium({ env: { CHROME_PATH: chromePath }, home, systemPaths: [system] }), {
    path: chromePath,
    source: 'CHROME_PATH',
  });
  assert.deepEqual(findChromium({ env: {}, home, systemPaths: [join(home, 'nothing'), system] }), { path: system, source: 'system' });
  assert.deepEqual(findChromium({ env: {}, home, systemPaths: [] }), { path: newest, source: 'playwright' });
  rmSync(join(home, '.cache', 'ms-playwright', 'chromium-1255'), { recursive: true });
  assert.deepEqual(findChromium({ env: {}, home, systemPaths: [] }), { path: old, source: 'playwright' });
  // PLAYWRIGHT_BROWSERS_PATH moves the cache.
  const moved = binary(join(home, 'pw', 'chromium-1300', 'chrome-linux64', 'chrome'));
  assert.deepEqual(findChromium({ env: { PLAYWRIGHT_BROWSERS_PATH: join(home, 'pw') }, home, systemPaths: [] }), {
    path: moved,
    source: 'playwright',
  });
});

test('none anywhere: one line that says where it looked and how to install one', () => {
  const empty = mkdtempSync(join(home, 'empty-'));
  const found = findChromium({ env: {}, home: empty, systemPaths: ['/nonexistent/chromium'] });
  assert.equal(found.path, null);
  const { problem } = found as { problem: string };
  assert.equal(problem.split('\n').length, 1);
  assert.match(
    problem,
    /^no Chromium found \(CHROME_PATH unset, none at \/nonexistent\/chromium or the usual system paths, none in .*ms-playwright\); install it \(Debian\/Ubuntu: apt-get install chromium; any OS: npx playwright-core install chromium\) or set CHROME_PATH/,
  );
  // A CHROME_PATH that names nothing is not passed over in silence.
  const wrong = findChromium({ env: { CHROME_PATH: '/nonexistent/chrome' }, home: empty, systemPaths: [] });
  assert.match((wrong as { problem: string }).problem, /^CHROME_PATH=\/nonexistent\/chrome is not an executable file; install it/);
});

test('headroom doctor reports the Chromium it found, and a wrong CHROME_PATH as a failed check', () => {
  const cli = (env: NodeJS.ProcessEnv): { status: number | null; stdout: string } => {
    const r = spawnSync(process.execPath, commandArgs('doctor'), { encoding: 'utf8', env: { ...process.env, ...env } });
    return { status: r.status, stdout: r.stdout };
  };
  const fake = binary(join(home, 'doctor', 'chrome'));
  const ok = cli({ CHROME_PATH: fake });
  assert.match(
    ok.stdout,
    new RegExp(`chromium\\s+${fake.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+ok \\(CHROME_PATH; used by the lab's browser test\\)`),
  );
  assert.equal(ok.status, 0, ok.stdout);
  const bad = cli({ CHROME_PATH: '/nonexistent/chrome' });
  assert.match(bad.stdout, /chromium\s+–\s+CHROME_PATH=\/nonexistent\/chrome is not an executable file; install it/);
  assert.equal(bad.status, 1);
});
