/**
 * `headroom scale fit` and `headroom scale plan`, run from the sources as a user runs them: tables,
 * JSON equal to the library's fit, typed errors for bad files, the plan's exit code, and the HTML
 * report opened in headless Chromium with both charts drawn.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReport } from '../report-browser.js';
import { fitUsl, type UslFit } from 'headroom/scale';
import { commandArgs } from '../command.js';

let work = '';
const SPEC = [
  [1, 64.9],
  [18, 995.9],
  [36, 1652.4],
  [72, 1853.2],
  [108, 1828.9],
  [144, 1775.0],
  [216, 1702.2],
] as const;

function headroom(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, commandArgs(...args), { cwd: work, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'headroom-scale-'));
  writeFileSync(join(work, 'spec.csv'), `# SPEC SDM91 (R usl)\nload,throughput\n${SPEC.map((r) => r.join(',')).join('\n')}\n`);
  writeFileSync(join(work, 'spec.json'), JSON.stringify(SPEC.map(([n, throughput]) => ({ n, throughput }))));
  writeFileSync(join(work, 'latency.csv'), `concurrency,latency_ms\n${SPEC.map(([n, x]) => `${n},${(n / x) * 1000}`).join('\n')}\n`);
  writeFileSync(join(work, 'bare.csv'), SPEC.map((r) => r.join(',')).join('\n'));
});
after(() => rmSync(work, { recursive: true, force: true }));

test('scale fit prints the coefficients with intervals, the peak, the limit and the residuals, and writes the report', () => {
  const r = headroom('scale', 'fit', 'spec.csv', '--report', 'fit.html');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /α\s+contention\s+0\.027728\s+0\.009122\s+0\.01000 … 0\.04545/);
  assert.match(r.stdout, /peak N\* = √\(\(1 − α\)\/β\)\s+96\.52/);
  assert.match(r.stdout, /Amdahl limit γ\/α\s+3,246/);
  assert.match(r.stdout, /^216\s+1,702\.2\s+1,646\.2\s+56\.00/m);
  assert.match(r.stderr, /report: .*fit\.html/);
});

test('scale fit --json equals the library fit, from CSV with a header, headerless CSV, JSON and (N, latency) by Little’s law', () => {
  const expected = fitUsl(SPEC.map(([n, throughput]) => ({ n, throughput })));
  for (const file of ['spec.csv', 'bare.csv', 'spec.json', 'latency.csv']) {
    const r = headroom('scale', 'fit', file, '--json');
    assert.equal(r.status, 0, r.stderr);
    const fit = JSON.parse(r.stdout) as UslFit;
    for (const k of ['alpha', 'beta', 'gamma'] as const) {
      // Little's law round-trips X to within an ulp, which moves the optimum in its last digits only.
      assert.ok(Math.abs(fit.coefficients[k] - expected.coefficients[k]) <= 1e-6 * expected.coefficients[k], `${file} ${k}`);
    }
  }
});

test('scale plan: the N for a target, and exit 1 naming the peak when the target is past it', () => {
  writeFileSync(join(work, 'fit.json'), headroom('scale', 'fit', 'spec.csv', '--json').stdout);
  const ok = headroom('scale', 'plan', '--fit', 'fit.json', '--target', '1500rps');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /N needed\s+34\n/);
  const json = JSON.parse(headroom('scale', 'plan', '--fit', 'fit.json', '--target', '1.5k', '--json').stdout) as { n: number };
  assert.equal(json.n, 34);
  const past = headroom('scale', 'plan', '--fit', 'fit.json', '--target', '2000/s');
  assert.equal(past.status, 1);
  assert.match(past.stdout, /target 2,000\/s is out of reach: throughput peaks at 1,884\/s at N\* = 96\.52/);
  writeFileSync(join(work, 'bare-fit.json'), JSON.stringify({ alpha: 0.05, beta: 0, gamma: 100 }));
  const limit = headroom('scale', 'plan', '--fit', 'bare-fit.json', '--target', '2500');
  assert.equal(limit.status, 1);
  assert.match(limit.stdout, /Amdahl limit γ\/α = 2,000\/s/);
});

test('bad input: one line naming the file and the problem, non-zero exit', () => {
  writeFileSync(join(work, 'two.csv'), 'n,throughput\n1,10\n2,19\n');
  writeFileSync(join(work, 'nan.csv'), 'n,throughput\n1,10\n2,abc\n4,30\n');
  writeFileSync(join(work, 'header.csv'), 'when,what\n1,10\n');
  writeFileSync(join(work, 'same.csv'), 'n,throughput\n4,10\n4,11\n4,12\n');
  const cases: [string[], RegExp][] = [
    [['scale', 'fit', 'two.csv', '--no-report'], /at least 3 measurements .*got 2/],
    [['scale', 'fit', 'nan.csv', '--no-report'], /Measurement 2 has throughput = NaN/],
    [['scale', 'fit', 'header.csv', '--no-report'], /header.csv: line 1: the header \(when, what\) names no N column/],
    [['scale', 'fit', 'same.csv', '--no-report'], /3 different load levels N; the 3 measurements cover 1/],
    [['scale', 'fit', 'missing.csv', '--no-report'], /missing.csv: cannot be read \(ENOENT\)/],
    [['scale', 'plan', '--fit', 'spec.csv', '--target', '10'], /spec.csv: is not valid JSON/],
    [['scale', 'plan', '--fit', 'fit.json', '--target', 'lots'], /--target: got "lots"/],
  ];
  for (const [args, message] of cases) {
    const r = headroom(...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('the HTML report opens without a network and draws the fitted curve with its band and the residuals (headless Chromium)', async () => {
  const reportPath = join(work, 'chromium.html');
  assert.equal(headroom('scale', 'fit', 'spec.csv', '--report', reportPath).status, 0);
  const { page, requests, pageErrors: errors, close } = await openReport(reportPath, '__scaleCharts', 'the scale report');
  try {
    const result = (await page.evaluate(`(() => ({
      status: window.__scaleCharts,
      charts: [...document.querySelectorAll('canvas[data-chart]')].map((c) => {
        const chart = window.Chart.getChart(c);
        const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return { id: c.dataset.chart, datasets: chart ? chart.data.datasets.map((d) => d.label + ':' + d.data.length) : [], painted, area: c.width * c.height };
      }),
    }))()`)) as {
      status: { expected: number; rendered: number; errors: string[] };
      charts: { id: string; datasets: string[]; painted: number; area: number }[];
    };
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    assert.deepEqual(result.status, { expected: 2, rendered: 2, errors: [] });
    const curve = result.charts.find((c) => c.id === 'curve')!;
    assert.deepEqual(curve.datasets, ['95% band (upper):120', '95% band:120', 'USL fit:120', 'measured:7', 'peak N*:1']);
    for (const c of result.charts) assert.ok(c.painted > c.area * 0.02, `${c.id}: ${c.painted} painted pixels`);
  } finally {
    await close();
  }
});
