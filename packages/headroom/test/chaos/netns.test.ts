// Network faults between real processes in two namespaces (root only; skipped with one line
// elsewhere): partition, loss and heal over real TCP, and no namespace left after a SIGKILL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { NetworkLab, NODE_ADDRESS } from '../../src/chaos/index.js';

const unavailable = await NetworkLab.unavailable();
const skip = unavailable === undefined ? false : `network namespaces: ${unavailable}`;
// One line when the kernel lacks sch_netem (as this project's CI kernel does): delay is then the proxy's latency toxic.
const netem = skip === false ? await NetworkLab.netemUnavailable() : undefined;
const netemSkip = skip !== false ? skip : netem === undefined ? false : netem;

const ECHO = `require('net').createServer((s) => s.pipe(s)).listen(7500, '${NODE_ADDRESS.b}', () => console.log('ready'))`;
const CLIENT = `const s = require('net').connect(7500, '${NODE_ADDRESS.b}', () => s.write('hi'));
s.on('data', (d) => { console.log('got ' + d); process.exit(0); });
s.on('error', (e) => { console.log('error ' + e.code); process.exit(0); });
setTimeout(() => { console.log('timeout'); process.exit(0); }, 1500);`;

test('partition, loss and heal between two namespaces over real TCP', { skip, timeout: 60_000 }, async () => {
  const lab = await NetworkLab.create();
  try {
    const server = lab.spawn('b', process.execPath, ['-e', ECHO], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => createInterface({ input: server.stdout! }).once('line', () => resolve()));
    const call = async (): Promise<string> => (await lab.exec('a', process.execPath, ['-e', CLIENT])).trim();
    assert.equal(await call(), 'got hi');
    await lab.partition();
    assert.equal(await call(), 'timeout');
    await lab.heal();
    assert.equal(await call(), 'got hi');
    await lab.loss('b', 1);
    assert.equal(await call(), 'timeout');
    await lab.heal();
    assert.equal(await call(), 'got hi');
  } finally {
    await lab.close();
  }
});

// Prints the milliseconds from sending 'hi' to its echo.
const TIMED = `const s = require('net').connect(7500, '${NODE_ADDRESS.b}', () => { const t = Date.now(); s.write('hi');
s.on('data', () => { console.log(Date.now() - t); process.exit(0); }); });
setTimeout(() => { console.log('timeout'); process.exit(0); }, 5000);`;

test('tc netem delays what a node sends; heal removes the qdisc', { skip: netemSkip, timeout: 60_000 }, async () => {
  const lab = await NetworkLab.create();
  try {
    const server = lab.spawn('b', process.execPath, ['-e', ECHO], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => createInterface({ input: server.stdout! }).once('line', () => resolve()));
    await lab.delay('b', { delay: '150ms' });
    const rtt = Number((await lab.exec('a', process.execPath, ['-e', TIMED])).trim());
    assert.ok(rtt >= 150, `the echo came back after ${rtt} ms, under the 150 ms netem delay`);
    await lab.heal();
    assert.doesNotMatch(await lab.exec('b', 'tc', ['qdisc', 'show']), /netem/);
  } finally {
    await lab.close();
  }
});

test('a runner killed with SIGKILL leaves no namespace holder (so no link and no rule) behind', { skip, timeout: 60_000 }, async () => {
  const child = spawn(
    process.execPath,
    ['--conditions=headroom-source', '--import', 'tsx', fileURLToPath(new URL('./netns.child.ts', import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const pids = line.split(' ').map(Number);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const deadline = performance.now() + 30_000; // they exit within moments; a busy machine may take seconds to run them
  while (pids.some(alive) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(pids.filter(alive), [], 'the holders exited with their runner');
});
