/**
 * In-process fault wrapper overhead when no fault fires (run: `npm run bench -- chaos/wrapper`):
 * the bare async call against the same call through `withFaults` and `FaultInjector.run`, with
 * one rule that never selects the key (the common case in production: a small blast radius),
 * and the synchronous decision alone.
 */
import { do_not_optimize } from 'mitata';
import { SeededRandom } from '../../src/core/random.js';
import { FaultInjector, withFaults } from '../../src/chaos/index.js';
import { compare } from '../harness.js';

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
