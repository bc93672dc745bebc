/**
 * In-process fault wrapper overhead when no fault fires (run: `npm run bench -- chaos/wrapper`):
 * the bare async call against the same call through `withFaults` and `FaultInjector.run`, with
 * one rule that never selects the key (the common case in production: a small blast radius),
 * and the synchronous decision alone.
 *
 * On a shared machine mitata's wall-clock ns/op counts the time other processes hold the core, so a
 * second suite counts this process's CPU time instead (`process.cpuUsage`, user + system, which also
 * counts its GC threads): each case runs 200,000 calls per round, the cases interleave over 5 rounds,
 * and the table gives each case's fastest and median round in CPU ns per call, and what the wrapper
 * adds over the bare await.
 */
import { loadavg } from 'node:os';
import { do_not_optimize } from 'mitata';
import { SeededRandom } from '../../src/core/random.js';
import { FaultInjector, withFaults } from '../../src/chaos/index.js';
import { compare, report, type ReportTable } from '../harness.js';
import { median } from '../summary.js';

const op = async (key: string): Promise<number> => key.length;
const chaos = new FaultInjector({
  random: new SeededRandom(1),
  faults: [
    { error: true, select: { prefix: 'tenant-7:' } },
    { latency: 50, probability: 0, select: { fraction: 0.01, seed: 9 } },
  ],
});
const wrapped = withFaults(op, chaos);

compare('chaos: fault wrapper overhead per call, no fault fires', {
  peer: 'bare await',
  cases: {
    'bare await': async () => do_not_optimize(await op('tenant-1:user:42')),
    'withFaults (2 rules, none selects)': async () => do_not_optimize(await wrapped('tenant-1:user:42')),
    'FaultInjector.run (2 rules, none selects)': async () =>
      do_not_optimize(await chaos.run(() => op('tenant-1:user:42'), { key: 'tenant-1:user:42' })),
    'decide() alone (synchronous)': () => do_not_optimize(chaos.decide('tenant-1:user:42')),
  },
});

const CPU_CALLS = 200_000;
const CPU_ROUNDS = 5;
const cpuCases: Record<string, () => unknown> = {
  'bare await': () => op('tenant-1:user:42'),
  'withFaults (2 rules, none selects)': () => wrapped('tenant-1:user:42'),
  'FaultInjector.run (2 rules, none selects)': () => chaos.run(() => op('tenant-1:user:42'), { key: 'tenant-1:user:42' }),
  'decide() alone (synchronous)': () => chaos.decide('tenant-1:user:42'),
};

/** CPU ns per call of `fn` over CPU_CALLS calls (awaited one at a time when it returns a promise). */
async function cpuNsPerCall(fn: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < CPU_CALLS; i++) {
    const r = fn();
    if (r instanceof Promise) do_not_optimize(await r);
    else do_not_optimize(r);
  }
  const { user, system } = process.cpuUsage(before);
  return ((user + system) * 1000) / CPU_CALLS;
}

report('chaos: fault wrapper overhead per call, no fault fires, in CPU time', async (): Promise<ReportTable> => {
  const names = Object.keys(cpuCases);
  const samples = new Map<string, number[]>(names.map((n) => [n, []]));
  for (const name of names) await cpuNsPerCall(cpuCases[name]!); // warm-up
  for (let round = 0; round < CPU_ROUNDS; round++) {
    for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) {
      samples.get(name)!.push(await cpuNsPerCall(cpuCases[name]!));
    }
  }
  const bare = samples.get('bare await')!;
  const rows = names.map((name) => {
    const xs = samples.get(name)!;
    return [name, Math.round(Math.min(...xs)), Math.round(median(xs)), name === 'bare await' ? '–' : Math.round(median(xs) - median(bare))];
  });
  return {
    header: ['case', 'CPU ns/call (fastest round)', 'CPU ns/call (median round)', 'median − bare await'],
    rows,
    notes: [
      `${CPU_ROUNDS} rounds of ${CPU_CALLS.toLocaleString('en')} calls per case, interleaved; load average at the end ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    ],
  };
});
