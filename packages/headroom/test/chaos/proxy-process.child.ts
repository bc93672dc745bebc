// A proxy server in its own process, for the kill test: prints "<api> <proxy>" and waits.
import { ChaosProxyServer } from '../../src/chaos/index.js';

const server = new ChaosProxyServer({ port: 0 });
await server.start();
const p = await server.createProxy({ name: 'r', upstream: '127.0.0.1:6379' });
process.stdout.write(`${server.address} ${p.listen}\n`);
setInterval(() => undefined, 1000);
