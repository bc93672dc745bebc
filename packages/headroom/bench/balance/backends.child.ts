/**
 * Child process for the end-to-end balance benchmark: starts one loopback HTTP backend per
 * argument `<serviceMs>:<workers>` (so server work never shares the load generator's event loop)
 * and prints their origins as one JSON line. Exits when its stdin closes.
 */
import { startHttpBackend } from '../../test/support/http-backend.js';

const specs = process.argv.slice(2).map((arg) => arg.split(':').map(Number) as [number, number]);
const backends = await Promise.all(specs.map(([serviceMs, workers]) => startHttpBackend({ serviceMs, workers })));
process.stdout.write(`${JSON.stringify(backends.map((b) => b.origin))}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void Promise.all(backends.map((b) => b.close())).then(() => process.exit(0));
});
