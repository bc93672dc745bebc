/**
 * The lab's opt-in `scale` scenario: `headroom lab --scenario scale` sweeps the reference service
 * closed loop at each concurrency, fits the USL, prints the 2-core caveat beside the numbers and
 * writes the fit's HTML report; the default tour does not include it. Short levels; nothing here
 * asserts a speed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAB_DEFAULTS, parseLabOptions, scenarioCatalog, SCALE_CONCURRENCY, SCALE_SCENARIO, type LabReport } from '../../src/lab/index.js';
import { commandArgs } from '../command.js';

test('the scale scenario is opt-in: the default tour is unchanged, and it can be named', () => {
  const names = scenarioCatalog({ replicas: LAB_DEFAULTS.replicas }).map((s) => s.name);
  assert.deepEqual(parseLabOptions({}, names, null, { json: false }, [SCALE_SCENARIO]).scenarios, names);
  assert.ok(!names.includes('scale'));
  assert.deepEqual(parseLabOptions({ scenario: 'scale' }, names, null, { json: false }, [SCALE_SCENARIO]).scenarios, ['scale']);
});

test('lab --scenario scale: a level per concurrency, the USL fitted, the caveat printed, the report written', async () => {
  const work = mkdtempSync(join(tmpdir(), 'headroom-lab-scale-'));
  try {
    const reportPath = join(work, 'scale.html');
    const child = spawn(
      process.execPath,
      commandArgs(
        'lab',
        '--scenario',
        'scale',
        '--duration',
        '300ms',
        '--interval',
        '100ms',
        '--products',
        '2000',
        '--replicas',
        '2',
        '--report',
        reportPath,
      ),
      { cwd: work },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(status, 0, stderr);
    for (const n of SCALE_CONCURRENCY) assert.match(stdout, new RegExp(`^${n} +\\d+ `, 'm'), `a row for N = ${n}`);
    assert.match(stdout, /USL fit of the reference service, 2 replicas: 7 points/);
    assert.match(stdout, /Caveat: this machine has \d+ CPU cores?, shared by 2 replicas, their SQLite store and this load generator/);
    assert.match(stderr, /\[scale\] N = 64: \d+ ok\/s/);
    assert.match(readFileSync(reportPath, 'utf8'), /Headroom scale: USL fit/);
    const json = spawn(
      process.execPath,
      commandArgs(
        'lab',
        '--scenario',
        'scale',
        '--duration',
        '200ms',
        '--interval',
        '100ms',
        '--products',
        '1000',
        '--replicas',
        '2',
        '--json',
      ),
      {
        cwd: work,
      },
    );
    let out = '';
    json.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    assert.equal(await new Promise<number | null>((resolve) => json.once('exit', resolve)), 0);
    const report = JSON.parse(out) as LabReport;
    assert.deepEqual(report.scenarios, []);
    assert.deepEqual(
      report.scale?.levels.map((l) => l.concurrency),
      [...SCALE_CONCURRENCY],
    );
    assert.ok(report.scale!.levels.every((l) => l.throughputPerSec > 0 && l.errors === 0));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
