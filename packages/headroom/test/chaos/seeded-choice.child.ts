// Prints the keys a seeded blast radius selects, for seeded-choice.test.ts (a second process).
import { FaultInjector } from '../../src/chaos/index.js';
import { SeededRandom } from '../../src/core/random.js';

const seed = Number(process.argv[2]);
const random = new SeededRandom(Number(process.argv[3])); // a different stream per process
const chaos = new FaultInjector({ faults: [{ error: true, select: { fraction: 0.05, seed } }], random });
const chosen: string[] = [];
for (let i = 0; i < 2000; i++) if (chaos.decide(`user:${i}`) !== undefined) chosen.push(`user:${i}`);
process.stdout.write(JSON.stringify(chosen));
