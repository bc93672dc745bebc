// ESLint flat config. The one house rule beyond the recommended sets: policies never read the
// real clock, schedule real timers or draw from Math.random — they take an injected Clock and
// Random — and they order nothing by the event loop (process.nextTick, queueMicrotask,
// setImmediate) and draw no ids from the operating system (crypto.randomUUID), so a policy runs
// the same under a VirtualClock and a seeded Random as in production. Applies to the sources of
// the library and the command (not the test kit):
// - core/clock.ts and core/random.ts implement the real clock and random: no rule;
// - adapters/ (sockets, undici, Redis: real I/O and ids unique across processes) and the virtual
//   clock (it drains promise chains with setImmediate) may use the event-loop and id APIs, not
//   the real clock;
// - everything else: all of it is banned.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CLOCK_FIX = 'take a Clock (headroom: packages/headroom/src/core/clock.ts) and call clock.now() / clock.setTimer()';
const RANDOM_FIX = 'take a Random (headroom: packages/headroom/src/core/random.ts) and call random.next()';
const LOOP_FIX = 'schedule through the injected Clock (clock.setTimer(0, fn)) or move the I/O into an adapters/ folder';
const ID_FIX = 'draw from the injected Random, or move the cross-process id into an adapters/ folder';

const SOURCES = ['packages/headroom/src/**/*.ts', 'packages/cli/src/**/*.ts'];
const CLOCK_AND_RANDOM = ['packages/headroom/src/core/clock.ts', 'packages/headroom/src/core/random.ts'];
const LOOP_AND_ID_ALLOWED = ['packages/*/src/**/adapters/**/*.ts', 'packages/headroom/src/core/virtual-clock.ts'];

/** The real-clock and Math.random bans, as [properties, globals, import paths]. */
const CLOCK_BANS = [
  [
    { object: 'Date', property: 'now', message: `Do not read the wall clock in policies: ${CLOCK_FIX}.` },
    { object: 'performance', property: 'now', message: `Do not read the real clock in policies: ${CLOCK_FIX}.` },
    { object: 'process', property: 'hrtime', message: `Do not read the real clock in policies: ${CLOCK_FIX}.` },
    { object: 'Math', property: 'random', message: `Do not use Math.random: ${RANDOM_FIX}.` },
    { object: 'globalThis', property: 'setTimeout', message: `Do not schedule real timers: ${CLOCK_FIX}.` },
    { object: 'globalThis', property: 'setInterval', message: `Do not schedule real timers: ${CLOCK_FIX}.` },
  ],
  [
    { name: 'setTimeout', message: `Do not schedule real timers: ${CLOCK_FIX}.` },
    { name: 'setInterval', message: `Do not schedule real timers: ${CLOCK_FIX}.` },
  ],
  [
    { name: 'node:timers', message: `Do not schedule real timers: ${CLOCK_FIX}.` },
    { name: 'node:timers/promises', message: `Do not schedule real timers: ${CLOCK_FIX}.` },
  ],
];

/** The event-loop and OS-id bans, in the same shape. */
const LOOP_AND_ID_BANS = [
  [
    { object: 'process', property: 'nextTick', message: `Do not order work by the event loop in policies: ${LOOP_FIX}.` },
    { object: 'globalThis', property: 'queueMicrotask', message: `Do not order work by the event loop in policies: ${LOOP_FIX}.` },
    { object: 'globalThis', property: 'setImmediate', message: `Do not order work by the event loop in policies: ${LOOP_FIX}.` },
    { object: 'crypto', property: 'randomUUID', message: `Do not draw ids from the operating system in policies: ${ID_FIX}.` },
  ],
  [
    { name: 'queueMicrotask', message: `Do not order work by the event loop in policies: ${LOOP_FIX}.` },
    { name: 'setImmediate', message: `Do not order work by the event loop in policies: ${LOOP_FIX}.` },
  ],
  [
    { name: 'node:crypto', importNames: ['randomUUID'], message: `Do not draw ids from the operating system in policies: ${ID_FIX}.` },
    { name: 'crypto', importNames: ['randomUUID'], message: `Do not draw ids from the operating system in policies: ${ID_FIX}.` },
  ],
];

/** The three rules that carry a list of bans (one list per rule, so each block states them all). */
function bans(...lists) {
  return {
    'no-restricted-properties': ['error', ...lists.flatMap((l) => l[0])],
    'no-restricted-globals': ['error', ...lists.flatMap((l) => l[1])],
    'no-restricted-imports': ['error', { paths: lists.flatMap((l) => l[2]) }],
  };
}

export default tseslint.config(
  { ignores: ['**/dist/', '**/node_modules/', 'scratch/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: SOURCES,
    ignores: [...CLOCK_AND_RANDOM, ...LOOP_AND_ID_ALLOWED],
    rules: bans(CLOCK_BANS, LOOP_AND_ID_BANS),
  },
  {
    files: LOOP_AND_ID_ALLOWED,
    rules: bans(CLOCK_BANS),
  },
);
