/**
 * What a user who only wants the cache gets: the library is built and packed (`npm pack`, which
 * runs `prepack`), installed from the tarball into an empty project
 * (`npm install --omit=dev --prefer-offline`), and the quick start of docs/cache.md runs there
 * against the installed dist/ (no source condition, no workspace links). First its in-process
 * part, with no Redis client in the project; then, after the user installs their own `redis`, the
 * whole example (type-checked against the installed types, then run against a redis-server this
 * test starts). The installed tree is the library and its histogram only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { startRedis, type OwnRedis } from '@headroom/testkit/redis-servers';
import { extractExamples } from '../docs/doc-examples.js';

const REPO = resolve(import.meta.dirname, '../../../..');
const LIBRARY = join(REPO, 'packages/headroom');
/** Where the in-process part of the quick start ends. */
const SHARED_TIER_MARKER = '// With a shared tier';
const INSTALL_FLAGS = ['--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'];

let work: string;
let app: string;
let server: OwnRedis;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'headroom-packed-'));
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'cache-user', version: '1.0.0', private: true, type: 'module' }));
  server = await startRedis(0);
});

after(async () => {
  rmSync(work, { recursive: true, force: true });
  await server?.stop();
});

function npm(args: string[], cwd: string): string {
  // A clean environment for npm: no source condition leaks into what it runs.
  const env = { ...process.env, NODE_OPTIONS: '' };
  return execFileSync('npm', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `file` (TypeScript, through tsx) in the app, as the app's own code: `headroom` is the installed copy. */
function runInApp(file: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), file], {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', REDIS_URL: server.url },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Packages under the app's node_modules, from npm's lock file. */
function installed(): string[] {
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  return Object.keys(lock.packages)
    .filter((k) => k !== '')
    .map((k) => k.replace(/^.*node_modules\//, ''))
    .sort();
}

test('packed library: installs without Redis, HTTP or native packages and runs the cache quick start', async () => {
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], LIBRARY)) as {
    filename: string;
    files: { path: string }[];
  }[];
  assert.ok(packed !== undefined);
  assert.ok(
    packed.files.some((f) => f.path === 'dist/cache/index.js'),
    'the tarball holds the built cache',
  );
  assert.ok(
    packed.files.every((f) => !f.path.startsWith('src/') && !f.path.startsWith('test/')),
    'no sources or tests in the tarball',
  );

  npm(['install', ...INSTALL_FLAGS, join(work, packed.filename)], app);
  assert.deepEqual(installed(), ['@assemblyscript/loader', 'base64-js', 'hdr-histogram-js', 'headroom', 'pako']);

  const [quickStart] = extractExamples('docs/cache.md');
  assert.ok(
    quickStart !== undefined && quickStart.code.includes(SHARED_TIER_MARKER),
    `docs/cache.md's first example has a "${SHARED_TIER_MARKER}" part`,
  );
  const local =
    quickStart.code
      .slice(0, quickStart.code.indexOf(SHARED_TIER_MARKER))
      .split('\n')
      .filter((line) => !line.includes("from 'redis'"))
      .join('\n') + 'await local.close();\n';
  writeFileSync(join(app, 'local.mts'), local);
  const inProcess = runInApp('local.mts');
  assert.equal(inProcess.status, 0, inProcess.stderr);
  assert.match(inProcess.stdout, /name: 'Ada'/);

  // The user's own Redis client, then the whole example: its types and its run.
  npm(['install', ...INSTALL_FLAGS, 'redis@5.12.1'], app);
  writeFileSync(join(app, 'quick-start.mts'), quickStart.code);
  assert.deepEqual(typecheck(join(app, 'quick-start.mts')), []);
  const shared = runInApp('quick-start.mts');
  assert.equal(shared.status, 0, shared.stderr);
  assert.match(shared.stdout, /name: 'Ada' }[\s\S]*name: 'Ada' }[\s\S]*name: 'Ada Lovelace' }/);
});

/** Type errors of `file` against what is installed in the app, with the repository's strict options. */
function typecheck(file: string): string[] {
  const base = JSON.parse(readFileSync(join(REPO, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    {
      ...base.compilerOptions,
      noEmit: true,
      skipLibCheck: false,
      typeRoots: [join(REPO, 'node_modules/@types')],
    },
    app,
  );
  assert.deepEqual(errors, []);
  const program = ts.createProgram({ rootNames: [file], options });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
