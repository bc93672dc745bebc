// A runner that creates a network lab with a partition, prints the holders' pids and waits to be killed.
import { NetworkLab } from '../../src/chaos/index.js';

const lab = await NetworkLab.create();
await lab.partition();
process.stdout.write(`${lab.holderPids.a} ${lab.holderPids.b}\n`);
setInterval(() => undefined, 1000);
