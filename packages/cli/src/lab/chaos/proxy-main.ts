/**
 * The chaos scenario's Redis proxy in its own process (forked by proxy-process.ts), so that what
 * the proxy does — holding every Redis command during the stall, then releasing them at once —
 * costs the lab's own event loop (which sends the load and times it) nothing. Starts headroom/chaos's
 * proxy in front of the upstream given as JSON in argv[2], says where it listens over IPC, then
 * stalls and heals on the parent's messages. Exits when the parent goes (IPC disconnect), so a
 * crashed lab leaves no proxy listening.
 */
import { SeededRandom, systemClock } from 'headroom';
import { ChaosProxyServer } from 'headroom/chaos';
import type { ProxyInit, ProxyReply, ProxyRequest } from './proxy-process.js';

const init = JSON.parse(process.argv[2] ?? '{}') as ProxyInit;
const send = (reply: ProxyReply): void => {
  if (process.connected) process.send!(reply);
};
const server = new ChaosProxyServer({
  port: 0,
  random: new SeededRandom(init.seed),
  ...(init.allowUpstreams === undefined ? {} : { allowUpstreams: init.allowUpstreams }),
});
// The parent is gone (crashed or killed): exit at once; the OS closes every socket. (Waiting for a
// graceful stop here could wait on the very connections the dead lab left open.)
process.on('disconnect', () => process.exit(0));
// And should the channel outlive the parent (another process holding its end), notice the parent
// is gone by its pid changing (re-parented on its death).
const parentPid = process.ppid;
const watchParent = (): void => {
  if (process.ppid !== parentPid) process.exit(0);
  systemClock.setTimer(250, watchParent); // unref'd: the proxy's listeners keep the process alive
};
systemClock.setTimer(250, watchParent);
try {
  await server.start();
  const { listen } = await server.createProxy({ name: init.name, listen: '127.0.0.1:0', upstream: init.upstream });
  process.on('message', (m: ProxyRequest) => {
    if (m.type === 'stall') {
      server.addToxic(init.name, { name: init.toxic, type: 'latency', stream: 'upstream', attributes: { latency: m.latencyMs } });
    } else {
      server.removeToxic(init.name, init.toxic);
    }
    send({ type: 'done', id: m.id });
  });
  send({ type: 'ready', listen });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
