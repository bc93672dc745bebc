#!/usr/bin/env node
// What installing the library costs a user who only wants the cache:
//   node scripts/footprint.mjs [--runs N] [library.tgz]
// Without a tarball it packs packages/headroom (npm pack, which builds it). Each run installs the
// tarball into a new empty project with `npm install --omit=dev --prefer-offline --no-audit
// --no-fund` and measures the packages installed (from npm's lock file), their size on disk
// (`du -sk node_modules`) and summed file sizes (unpacked), and the install's wall time.
// Progress goes to stderr; one table to stdout.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, lstatSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { URL } from 'node:url';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt === -1 ? 1 : Number(args.splice(runsAt, 2)[1]);
if (!(runs >= 1)) throw new Error('--runs takes a positive number');
const work = mkdtempSync(join(tmpdir(), 'headroom-footprint-'));
let tarball = args[0] === undefined ? undefined : resolve(args[0]);
if (tarball === undefined) {
  process.stderr.write('packing packages/headroom (builds it first) …\n');
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: new URL('../packages/headroom', import.meta.url),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  tarball = join(work, JSON.parse(out)[0].filename);
}

/** Summed sizes of the files under `dir` (symlinks not followed), bytes. */
function fileBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += fileBytes(path);
    else total += lstatSync(path).size;
  }
  return total;
}

const rows = [];
for (let run = 1; run <= runs; run++) {
  const app = join(work, `app-${run}`);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'cache-user', version: '1.0.0', private: true, type: 'module' }));
  process.stderr.write(`run ${run}/${runs}: npm install --omit=dev --prefer-offline ${tarball} …\n`);
  const started = process.hrtime.bigint();
  const r = spawnSync('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    cwd: app,
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`npm install failed:\n${r.stderr}`);
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
  const packages = Object.keys(lock.packages).filter((k) => k !== '').length;
  const diskKb = Number(execFileSync('du', ['-sk', join(app, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  rows.push([
    String(run),
    String(packages),
    (fileBytes(join(app, 'node_modules')) / 1e6).toFixed(1),
    ((diskKb * 1024) / 1e6).toFixed(1),
    seconds.toFixed(1),
  ]);
}
rmSync(work, { recursive: true, force: true });

const header = ['run', 'packages', 'unpacked MB', 'on disk MB', 'install s'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
process.stdout.write(
  `${tarball.split('/').at(-1)}, node ${process.version}, npm ${execFileSync('npm', ['-v'], { encoding: 'utf8' }).trim()}\n`,
);
process.stdout.write([line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n');
