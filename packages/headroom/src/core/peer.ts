/**
 * Optional peer dependencies, loaded by the code that needs them and only when it is used.
 *
 * The library installs no HTTP or Redis client of its own: the user's (`undici`, `redis`,
 * `ioredis`) are optional peers, so `import 'headroom/balance'` or `'headroom/cache'` loads none
 * of them. A piece that does need one (an undici dispatcher, an HTTP probe) loads it
 * synchronously when it is created, resolved from this package's location as Node resolves the
 * user's own dependencies, and says how to install it when it is missing.
 */
import { createRequire } from 'node:module';
import { HeadroomError } from './errors.js';

const require = createRequire(import.meta.url);

/**
 * The module `name`, loaded now (CommonJS `require`, cached by Node after the first call).
 * @param name - the peer package, as listed in this package's `peerDependencies`
 * @param user - what needs it, for the message (e.g. `'BalancedDispatcher'`)
 * @throws HR_CORE_PEER_MISSING when the package is not installed
 */
export function loadPeer<T>(name: string, user: string): T {
  try {
    return require(name) as T;
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    // A missing module inside an installed peer is that peer's problem, not a missing peer.
    if (e.code !== 'MODULE_NOT_FOUND' || !String(e.message).startsWith(`Cannot find module '${name}'`)) throw error;
    const range = peerRange(name);
    throw new HeadroomError(
      'HR_CORE_PEER_MISSING',
      `${user} needs the optional peer dependency '${name}', which is not installed: npm install ${name}@'${range}'.`,
      { cause: error, details: { peer: name, range, user } },
    );
  }
}

/** The version range of `name` in this package's `peerDependencies` (src/ and dist/ sit at the same depth). */
function peerRange(name: string): string {
  const pkg = require('../../package.json') as { peerDependencies?: Record<string, string> };
  return pkg.peerDependencies?.[name] ?? '*';
}
