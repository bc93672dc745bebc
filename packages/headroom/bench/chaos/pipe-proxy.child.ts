// The floor for any Node proxy, for proxy-overhead.bench.ts: a node:net proxy that only
// `pipe()`s both ways to the echo port given as argv[2] (no counters, no toxic chain). Prints its
// listen address, runs until killed.
import { connect, createServer } from 'node:net';

const port = Number(process.argv[2]);
const server = createServer({ noDelay: true }, (client) => {
  const upstream = connect({ host: '127.0.0.1', port, noDelay: true });
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.pipe(upstream).pipe(client);
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}\n`);
});
