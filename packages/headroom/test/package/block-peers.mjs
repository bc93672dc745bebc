// Preloaded (`node --import`) by peers-absent.test.ts into a child process: makes the optional
// peers named in HEADROOM_BLOCKED_PEERS unresolvable, as in a project that never installed them.
// ESM imports go through a resolve hook; require() (createRequire included) through
// Module._resolveFilename. Both fail the way Node does for a missing package.
import Module, { register } from 'node:module';
import process from 'node:process';
import { URL } from 'node:url';

const blocked = (process.env.HEADROOM_BLOCKED_PEERS ?? '').split(',').filter((name) => name !== '');
const isBlocked = (specifier) => blocked.some((name) => specifier === name || specifier.startsWith(`${name}/`));

register(new URL('./block-peers-hooks.mjs', import.meta.url), { data: blocked });

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (isBlocked(request)) {
    throw Object.assign(new Error(`Cannot find module '${request}' (not installed in this test)`), { code: 'MODULE_NOT_FOUND' });
  }
  return resolveFilename.call(this, request, ...rest);
};
