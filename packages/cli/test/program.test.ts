import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { commandArgs } from './command.js';

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, commandArgs(...args), { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--version prints the package version', () => {
  const r = cli('--version');
  assert.equal(r.status, 0);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test('--help lists the subcommands', () => {
  const r = cli('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /doctor/);
});

test('an unknown command or a bad flag prints one line to stderr and exits 2', () => {
  for (const args of [['bogus'], ['doctor', '--nope']]) {
    const r = cli(...args);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(r.stdout, '');
  }
});

test('doctor reports Redis and PostgreSQL as a table', () => {
  const r = cli('doctor');
  assert.match(r.stdout, /check\s+target\s+result/);
  assert.match(r.stdout, /redis\s+127\.0\.0\.1:6379\s+ok/);
  assert.match(r.stdout, /postgres\s+127\.0\.0\.1:5432\s+ok/);
  assert.equal(r.status, 0);
});
