// ESLint flat config. The one house rule beyond the recommended sets: policies never read the
// real clock, schedule real timers or draw from Math.random — they take an injected Clock and
// Random. In the sources of the library and the command (not the test kit), only the library's
// core/clock.ts and core/random.ts may touch those APIs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CLOCK_FIX = 'take a Clock (headroom: packages/headroom/src/core/clock.ts) and call clock.now() / clock.setTimer()';
const RANDOM_FIX = 'take a Random (headroom: packages/headroom/src/core/random.ts) and call random.next()';

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
    files: ['packages/headroom/src/**/*.ts', 'packages/cli/src/**/*.ts'],
    ignores: ['packages/headroom/src/core/clock.ts', 'packages/headroom/src/core/random.ts'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: `Do not read the wall clock in policies: ${CLOCK_FIX}.` },
        { object: 'performance', property: 'now', message: `Do not read the real clock in policies: ${CLOCK_FIX}.` },
        { object: 'Math', property: 'random', message: `Do not use Math.random: ${RANDOM_FIX}.` },
        { object: 'globalThis', property: 'setTimeout', message: `Do not schedule real timers: ${CLOCK_FIX}.` },
        { object: 'globalThis', property: 'setInterval', message: `Do not schedule real timers: ${CLOCK_FIX}.` },
      ],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: `Do not schedule real timers: ${CLOCK_FIX}.` },
        { name: 'setInterval', message: `Do not schedule real timers: ${CLOCK_FIX}.` },
      ],
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'node:timers', message: `Do not schedule real timers: ${CLOCK_FIX}.` },
          { name: 'node:timers/promises', message: `Do not schedule real timers: ${CLOCK_FIX}.` },
        ],
      }],
    },
  },
);
