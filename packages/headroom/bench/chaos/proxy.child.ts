// The chaos proxy in its own process for proxy-overhead.bench.ts: proxies to the echo port given
// as argv[2] with no toxics, prints the proxy's listen address, runs until killed.
import { ChaosProxyServer } from '../../src/chaos/index.js';

const server = new ChaosProxyServer({ port: 0 });
await server.start();
const p = await server.createProxy({ name: 'echo', upstream: `127.0.0.1:${process.argv[2]}` });
process.stdout.write(`${p.listen}\n`);
