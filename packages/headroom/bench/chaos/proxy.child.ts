// The chaos proxy in its own process for proxy-overhead.bench.ts: proxies to the echo port given
// as argv[2] with no toxics, prints the proxy's listen address, runs until killed.
import { createInterface } from 'node:readline';
import { ChaosProxyServer } from '../../src/chaos/index.js';

const server = new ChaosProxyServer({ port: 0 });
await server.start();
const p = await server.createProxy({ name: 'echo', upstream: `127.0.0.1:${process.argv[2]}` });
process.stdout.write(`${p.listen}\n`);
// Each line on stdin asks for this process's CPU time so far: answered as `user system` µs.
// Reading stdin also keeps it running until the parent kills it.
createInterface({ input: process.stdin }).on('line', () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${user} ${system}\n`);
});
