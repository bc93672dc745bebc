/**
 * `npm run bench [-- <filter>]`: imports every bench/**\/*.bench.ts whose path or suite name
 * contains the filter, runs its suites and prints a table per suite.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderTable } from '../src/core/table.js';
import { setCurrentFile, suites, timeNs, type Suite } from './harness.js';

function benchFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? benchFiles(path) : path.endsWith('.bench.ts') ? [path] : [];
    })
    .sort();
}

const filter = (process.argv[2] ?? '').toLowerCase();
const root = new URL('.', import.meta.url).pathname;
for (const file of benchFiles(root)) {
  const rel = relative(root, file);
  setCurrentFile(rel);
  await import(pathToFileURL(file).href);
}
const selected = suites.filter((s) => filter === '' || s.file.toLowerCase().includes(filter) || s.name.toLowerCase().includes(filter));
if (selected.length === 0) {
  process.stderr.write(`No benchmark suite matches "${filter}".\n`);
  process.exit(2);
}

process.stdout.write(`node ${process.version}, ${selected.length} suite(s)\n`);
for (const [i, suite] of selected.entries()) {
  process.stderr.write(`\n[${i + 1}/${selected.length}] ${suite.file} — ${suite.name} …\n`);
  process.stdout.write(`\n## ${suite.name}\n${await runSuite(suite)}\n`);
}

async function runSuite(suite: Suite): Promise<string> {
  if (suite.kind === 'report') {
    const table = await suite.run();
    return [renderTable(table.header, table.rows), ...(table.notes ?? [])].join('\n');
  }
  const results: Array<[string, number]> = [];
  for (const [name, fn] of Object.entries(suite.cases)) results.push([name, await timeNs(fn)]);
  const peerNs = results.find(([n]) => n === suite.peer)![1];
  const rows = results.map(([name, ns]) => [name, ns, 1e9 / ns, `${(peerNs / ns).toFixed(2)}×`]);
  return `${renderTable(['case', 'ns/op', 'ops/s', `vs ${suite.peer}`], rows, 1)}`;
}
