/**
 * The cache docs, followed literally, work: every ```ts block of docs/cache.md type-checks
 * against `src/` and runs to completion against a redis-server this test starts (a program that
 * leaves a connection or a timer holding the event loop would hang and fail); the lifecycle
 * example survives a Redis restart in the middle of its run, and the same example without its
 * `error` listener dies of it — so the listener is what the docs must show, and every example in
 * the docs (and in the cache's TSDoc) that creates a Redis client does show one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExampleWorkspace, extractExamples, type DocExample } from '../docs/doc-examples.js';
import { startRedis, type OwnRedis } from '@headroom/testkit/redis-servers';

const REPO = resolve(import.meta.dirname, '../../../..');
const examples = extractExamples('docs/cache.md');
const workspace = new ExampleWorkspace();
let server: OwnRedis;

before(async () => {
  server = await startRedis(0);
});

after(async () => {
  workspace.dispose();
  await server.stop();
});

/** Every fenced block of a markdown file, and every doc comment of a source file, with where it is. */
function snippets(): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const docs = [
    'README.md',
    ...readdirSync(join(REPO, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  for (const doc of docs) {
    const text = readFileSync(join(REPO, doc), 'utf8');
    for (const m of text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm))
      out.push({ where: `${doc}:${text.slice(0, m.index).split('\n').length}`, text: m[1]! });
  }
  const walk = (dir: string): string[] =>
    readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
    );
  for (const file of walk('packages/headroom/src/cache')) {
    const text = readFileSync(join(REPO, file), 'utf8');
    for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g))
      out.push({ where: `${file}:${text.slice(0, m.index).split('\n').length}`, text: m[0] });
  }
  return out;
}

test('every docs example (and cache TSDoc example) that creates a Redis client attaches an error listener', () => {
  const creating = snippets().filter((s) => /create(Client|Cluster)\(|new (Redis|Cluster)\(/.test(s.text));
  assert.ok(creating.length >= 3, `expected the cache docs to create clients in several examples; found ${creating.length}`);
  const bare = creating.filter((s) => !/\.on\(\s*'error'/.test(s.text)).map((s) => s.where);
  assert.deepEqual(bare, [], 'these examples create a Redis client without an error listener');
});

test('every ts block of docs/cache.md type-checks against src/', () => {
  for (const example of examples) workspace.write(example);
  assert.deepEqual(workspace.typecheck(examples), []);
});

/** Runs an example with REDIS_URL pointing at this test's server; it must exit by itself, successfully. */
async function runs(example: DocExample): Promise<string> {
  process.env['REDIS_URL'] = server.url;
  const result = await workspace.run(workspace.write(example), 60_000);
  assert.equal(result.hung, false, `${example.name} did not exit: something it opened holds the event loop`);
  assert.equal(result.code, 0, `${example.name} failed:\n${result.stderr}`);
  return result.stdout;
}

test('the docs examples run against a real Redis and exit by themselves', async () => {
  const redisExamples = examples.filter((e) => e.code.includes('createClient('));
  assert.ok(redisExamples.length >= 2);
  assert.ok(
    examples.some((e) => e.code.includes("from 'ioredis'")),
    'docs/cache.md shows the tier with an ioredis client',
  );
  for (const example of examples) {
    const stdout = await runs(example);
    if (example === redisExamples[0]) assert.match(stdout, /name: 'Ada' }[\s\S]*name: 'Ada' }[\s\S]*name: 'Ada Lovelace' }/);
    // Bring your own client: the ioredis client serves the tier, whose tracking channel is up.
    if (example.code.includes("from 'ioredis'")) assert.match(stdout, /sku: 'sku-1'[\s\S]*health: ok/);
  }
});

/** The lifecycle example (the one that watches its health), paused before shutdown until told to go on. */
function pausedLifecycle(withoutErrorListener: boolean): { file: string } {
  const example = examples.find((e) => e.code.includes('cache.health()') && e.code.includes('createClient('));
  assert.ok(example, 'docs/cache.md has a lifecycle example that creates a client and reads health()');
  let code = example.code.replace(
    /^(console\.log\('health:'.*\/\/ ok)$/m,
    "$1\nawait new Promise((resolve) => process.stdin.once('data', resolve));\nprocess.stdin.destroy();",
  );
  assert.notEqual(code, example.code, 'the pause point (the ok health line) was not found');
  // Each step of the shutdown says when it is done, so a run that hangs shows where.
  const marked = code
    .replace(/^await cache\.close\(\);$/m, "await cache.close();\nconsole.log('shutdown: cache closed');")
    .replace(/^await client\.close\(\);$/m, "await client.close();\nconsole.log('shutdown: client closed');");
  assert.equal(marked.match(/shutdown: /g)?.length, 2, 'the shutdown lines (cache.close, client.close) were not found');
  code = marked;
  if (withoutErrorListener) {
    const stripped = code.replace(/^client\.on\('error'.*$/m, '');
    assert.notEqual(stripped, code);
    code = stripped;
  }
  return { file: workspace.write({ ...example, ordinal: example.ordinal * 100 + (withoutErrorListener ? 1 : 0) }, code) };
}

/** Starts a written example with stdin open; resolves its output so far on demand. */
function start(file: string): {
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
  resume(): void;
  waitFor(re: RegExp): Promise<void>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: workspace.dir,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, REDIS_URL: server.url },
  });
  let stdout = '';
  let stderr = '';
  const waiting: { re: RegExp; resolve(): void }[] = [];
  const check = (): void => {
    for (const w of [...waiting])
      if (w.re.test(stdout + stderr)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
  };
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    check();
  });
  const exited = new Promise<number | null>((resolveExit) => child.on('close', (code) => resolveExit(code)));
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(guard));
  return {
    out: () => stdout,
    err: () => stderr,
    exited,
    resume: () => child.stdin.end('go\n'),
    waitFor: (re) =>
      new Promise<void>((resolveWait, reject) => {
        waiting.push({ re, resolve: resolveWait });
        check();
        void exited.then(() => reject(new Error(`the example exited before printing ${re}:\n${stdout}\n${stderr}`)));
      }),
  };
}

test('the lifecycle example survives a Redis restart in mid-run (its error listener logs it) and still exits when done', async () => {
  const run = start(pausedLifecycle(false).file);
  await run.waitFor(/health: ok/);
  await server.kill();
  await run.waitFor(/channel lost or silent/);
  await server.restart();
  await run.waitFor(/channel lost or silent[\s\S]*channel live/);
  run.resume();
  const code = await run.exited;
  // null: killed by the guard after 60 s, it hung (its output shows how far the shutdown got)
  assert.equal(code, 0, `exit ${code}, stderr:\n${run.err()}\nstdout:\n${run.out()}`);
  assert.match(run.out(), /shutdown: cache closed\nshutdown: client closed/);
  assert.match(run.err(), /redis:/, 'the error listener did not see the restart');
  assert.match(run.out(), /health: closed/);
});

test('without its error listener, the same example dies of the restart (SocketClosedUnexpectedlyError)', async () => {
  const run = start(pausedLifecycle(true).file);
  await run.waitFor(/health: ok/);
  await server.kill();
  const code = await run.exited;
  await server.restart();
  assert.notEqual(code, 0);
  assert.match(run.err(), /SocketClosedUnexpectedlyError|Socket closed unexpectedly/);
});
