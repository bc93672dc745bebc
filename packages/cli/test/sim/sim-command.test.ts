/**
 * `headroom sim`, run from the sources as a user runs it: a scenario file's side-by-side table,
 * the same trace hashes on every run and in any number of threads, overriding flags, one error
 * naming the path of a bad field, and the HTML report opened in headless Chromium.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReport } from '../report-browser.js';
import { stringify as toYaml } from 'yaml';
import { commandArgs } from '../command.js';

let work = '';

const scenario = {
  name: 'two-pickers',
  description: 'one slow server among 6',
  model: {
    duration: '4s',
    arrivals: { type: 'poisson', ratePerSec: 600 },
    servers: [{ count: 6, workers: 2, service: { type: 'exponential', mean: '5ms' } }],
    faults: [{ atMs: 0, action: 'slow', servers: [2], factor: 8 }],
  },
  variants: [
    { name: 'round-robin', clients: { picker: 'round-robin' } },
    { name: 'p2c+peak-ewma', clients: { picker: 'p2c', load: 'peak-ewma' } },
  ],
};

function headroom(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, commandArgs(...args), { cwd: work, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonOut {
  variants: {
    name: string;
    replications: {
      seeds: number[];
      runs: { traceHash: string; calls: number; failed: number; served: number[]; latency: { p50: number; p99: number } }[];
    };
  }[];
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'headroom-sim-'));
  writeFileSync(join(work, 'two.json'), JSON.stringify(scenario));
  writeFileSync(join(work, 'two.yaml'), toYaml(scenario));
  writeFileSync(
    join(work, 'bad.json'),
    JSON.stringify({ ...scenario, variants: [scenario.variants[0], { name: 'x', clients: { picker: 'fastest' } }] }),
  );
  writeFileSync(join(work, 'unknown.json'), JSON.stringify({ ...scenario, model: { ...scenario.model, sevrers: [] } }));
  const misspelled = { type: 'lognormal', median: '5ms', sigma: 0.5, sigmaa: 0.8 };
  writeFileSync(
    join(work, 'nested.yaml'),
    toYaml({ ...scenario, model: { ...scenario.model, servers: [{ count: 6, service: misspelled }] } }),
  );
});
after(() => rmSync(work, { recursive: true, force: true }));

test('a scenario file prints progress and a side-by-side table; p2c + peak-EWMA beats round-robin on the slow server', () => {
  const r = headroom('sim', 'two.json', '--no-report');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /round-robin: 1\/1 replication/);
  const lines = r.stdout.split('\n');
  assert.match(
    lines.find((l) => l.startsWith('p99 (ms)'))!,
    /^p99 \(ms\)\s+\S+\s+\S+/,
  );
  const json = JSON.parse(headroom('sim', 'two.json', '--json').stdout) as JsonOut;
  const [rr, ewma] = json.variants;
  assert.ok(
    ewma!.replications.runs[0]!.latency.p99 < rr!.replications.runs[0]!.latency.p99 / 2,
    JSON.stringify(json.variants.map((v) => v.replications.runs[0]!.latency)),
  );
});

test('same seed, same trace hashes: on every run, and with replications in 0 or 2 worker threads', () => {
  const hashes = (...args: string[]): string[] => {
    const r = headroom('sim', 'two.json', '--json', ...args);
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as JsonOut).variants.flatMap((v) => v.replications.runs.map((x) => x.traceHash));
  };
  const a = hashes('--seed', '9', '--replications', '3', '--threads', '0');
  assert.equal(a.length, 6);
  const yaml = headroom('sim', 'two.yaml', '--json', '--seed', '9', '--replications', '3');
  assert.deepEqual(
    (JSON.parse(yaml.stdout) as JsonOut).variants.flatMap((v) => v.replications.runs.map((x) => x.traceHash)),
    a,
    'the YAML file is the same scenario',
  );
  assert.deepEqual(hashes('--seed', '9', '--replications', '3', '--threads', '2'), a);
  assert.notDeepEqual(hashes('--seed', '10', '--replications', '3'), a);
});

test("one replication runs in a worker thread with a larger young generation by default; the heap's size changes no result", () => {
  const hashes = (...args: string[]): string[] => {
    const r = headroom('sim', 'two.json', '--json', '--seed', '4', ...args);
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as JsonOut).variants.flatMap((v) => v.replications.runs.map((x) => x.traceHash));
  };
  const here = hashes('--threads', '0');
  assert.equal(here.length, 2);
  assert.deepEqual(hashes(), here, 'the default: a worker thread, young generation 192 MB');
  assert.deepEqual(hashes('--young-gen', '0'), here, "a worker thread with V8's default heap");
  assert.deepEqual(hashes('--young-gen', '48'), here);
  const both = headroom('sim', 'two.json', '--no-report', '--young-gen', '64', '--threads', '0');
  assert.equal(both.status, 1);
  assert.match(both.stderr, /--young-gen: .*--threads 0/);
  const bad = headroom('sim', 'two.json', '--no-report', '--young-gen', '-1');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--young-gen: got "-1"/);
});

test('--seed beyond 32 bits is refused at the flag (it would repeat another seed’s run)', () => {
  const bad = headroom('sim', 'two.json', '--no-report', '--seed', '4294967297');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--seed: got "4294967297"; pass an integer from 0 to 4294967295/);
  const last = headroom('sim', 'two.json', '--no-report', '--seed', '4294967295', '--replications', '2', '--threads', '0');
  assert.equal(last.status, 1);
  assert.match(last.stderr, /seed.*start at 4294967294 or below/);
});

test('--rps, --servers and --duration change the model, and the description says so; a built-in runs by name', () => {
  const r = headroom('sim', 'two.json', '--json', '--rps', '300', '--duration', '2s', '--servers', '8');
  assert.equal(r.status, 0, r.stderr);
  const run = (JSON.parse(r.stdout) as JsonOut).variants[0]!.replications.runs[0]!;
  assert.ok(run.calls > 400 && run.calls < 700, `${run.calls} calls`);
  // The fleet really has 8 servers (the scenario's 6 without the flag), each serving its share.
  assert.equal(run.served.length, 8);
  assert.ok(
    run.served.every((n) => n > 0),
    `served ${run.served.join(', ')}`,
  );
  const six = (JSON.parse(headroom('sim', 'two.json', '--json', '--duration', '1s').stdout) as JsonOut).variants[0]!.replications.runs[0]!;
  assert.equal(six.served.length, 6);
  // The description says what the flags changed, so a figure in it that they replaced is not read as the run's.
  const changed = headroom('sim', 'two.json', '--print', '--rps', '300', '--servers', '8');
  assert.equal(
    (JSON.parse(changed.stdout) as { description: string }).description,
    'one slow server among 6 Changed by flags: 8 servers (--servers), 300 req/s (--rps).',
  );
  const table = headroom('sim', 'two.json', '--no-report', '--duration', '1s');
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^two-pickers: one slow server among 6 Changed by flags: 1s simulated \(--duration\)\.\n/);
  const printed = headroom('sim', 'finagle-coldstart', '--print');
  assert.equal(printed.status, 0, printed.stderr);
  assert.equal((JSON.parse(printed.stdout) as { name: string }).name, 'finagle-coldstart');
  // A rate that is not a number is named as the user typed it, at the flag.
  for (const value of ['abc', '0', '-5', '']) {
    const bad = headroom('sim', 'two.json', '--no-report', '--rps', value);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, new RegExp(`--rps: got "${value}"; pass requests per second`));
  }
});

test('a bad scenario fails with one error naming the file, the path and the reason', () => {
  const bad = headroom('sim', 'bad.json', '--no-report');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /bad\.json: variants\.1\.clients\.picker: .*fastest.*p2c, round-robin/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  const unknown = headroom('sim', 'unknown.json', '--no-report');
  assert.match(unknown.stderr, /unknown\.json: model\.sevrers: unknown field/);
  const nested = headroom('sim', 'nested.yaml', '--no-report');
  assert.equal(nested.status, 1);
  assert.match(nested.stderr, /nested\.yaml: model\.servers\.0\.service\.sigmaa: unknown field; expected one of type, median, sigma/);
  assert.equal(nested.stderr.trim().split('\n').length, 1);
  const missing = headroom('sim', 'no-such-scenario');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no-such-scenario.*tail-at-scale/);
  // a mistyped path is a missing file, not an unknown built-in
  for (const file of ['no-such.json', 'no-such.yaml']) {
    const gone = headroom('sim', file, '--no-report');
    assert.equal(gone.status, 1);
    assert.match(gone.stderr, new RegExp(`${file.replace('.', '\\.')}: \\(root\\): cannot read the file \\(ENOENT\\)`));
  }
  writeFileSync(join(work, 'broken.yaml'), 'name: x\nmodel: { duration: 5s\n');
  const broken = headroom('sim', 'broken.yaml', '--no-report');
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /broken\.yaml: \(root\): not valid YAML: .*line \d+, column \d+\n$/);
});

test('the HTML report opens offline in headless Chromium with both charts drawn', async () => {
  const reportPath = join(work, 'report.html');
  const r = headroom('sim', 'two.json', '--report', reportPath);
  assert.equal(r.status, 0, r.stderr);
  const { page, requests, pageErrors, close } = await openReport(reportPath, '__simCharts', 'the sim report');
  try {
    const status = (await page.evaluate('window.__simCharts')) as { expected: number; rendered: number; errors: string[] };
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(requests, [], 'the report fetched nothing from the network');
    assert.deepEqual(status, { expected: 2, rendered: 2, errors: [] });
  } finally {
    await close();
  }
});

test('what-if --histogram: a recorded histogram becomes every server’s service time, in every variant; a bad file is named', () => {
  // 20–40 ms service, one value per line, on 4 servers at 100 req/s: idle enough that latency ≈ service + 0.5 ms of network.
  writeFileSync(join(work, 'service.txt'), Array.from({ length: 500 }, (_, i) => (20 + i / 25).toFixed(2)).join('\n'));
  const r = headroom('sim', 'what-if', '--histogram', 'service.txt', '--servers', '4', '--rps', '100', '--duration', '5s', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /service time: 500 latency values from service\.txt \(p50 30\.\d+ ms, p99 39\.\d+ ms\)/);
  const variants = (JSON.parse(r.stdout) as JsonOut).variants;
  assert.deepEqual(
    variants.map((v) => v.name),
    ['round-robin', 'round-robin+hedge p95', 'p2c+peak-ewma', 'p2c+peak-ewma+hedge p95', 'p2c+peak-ewma+limiter'],
  );
  for (const v of variants) {
    const run = v.replications.runs[0]!;
    assert.ok(run.latency.p50 > 28 && run.latency.p50 < 33, `${v.name}: p50 ${run.latency.p50}`);
    assert.ok(run.latency.p99 < 45, `${v.name}: p99 ${run.latency.p99}`);
  }
  const bad = headroom('sim', 'what-if', '--histogram', 'service.json', '--no-report');
  writeFileSync(join(work, 'service.json'), '{"tool": "something else"}');
  const wrong = headroom('sim', 'what-if', '--histogram', 'service.json', '--no-report');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^headroom: Histogram service\.json: cannot be read \(ENOENT\)/);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /^headroom: Histogram service\.json: a JSON file that is not `headroom lab --json` output/);
});
