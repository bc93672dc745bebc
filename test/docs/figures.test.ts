/**
 * Every measured figure in README.md and docs/*.md names the committed command that reproduces
 * it: a line with a time per operation (ns, µs), a throughput (ops/s, k/s, M/s), bytes per entry
 * or a decimal ratio written against its number (1.15×) must sit in a section — the text under a heading, down to the next
 * heading — that names such a command on that line or above it. The commands: `npm run bench`,
 * `npm start`, `npx headroom`, `headroom lab`, `node scripts/…`, a `node … --test` run.
 *
 * It checks that a figure has a command near it, not that the command prints that figure: the
 * figures themselves are measured, and stay as measured, by people running those commands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');

/** A measured figure: time per operation, throughput, bytes per entry, or a decimal ratio. */
const FIGURE = /\d\s?(?:ns|µs)\b|\d[kM]?\s?ops\/s|\d[kM]\/s|\d\s?B\/entry|\d\.\d+×/;
/** A command that reproduces figures. */
const COMMAND = /npm run bench|npm start|npx headroom|headroom lab|node scripts\/|node [^`\n]*--test\b/;

/** Lines (1-based) of `markdown` holding a figure with no command above it in its section. */
export function figuresWithoutCommand(markdown: string): number[] {
  const bad: number[] = [];
  let commandSeen = false;
  let inFence = false;
  markdown.split('\n').forEach((line, i) => {
    if (line.startsWith('```')) inFence = !inFence;
    if (!inFence && /^#{1,6} /.test(line)) commandSeen = false;
    if (COMMAND.test(line)) commandSeen = true;
    if (FIGURE.test(line) && !commandSeen) bad.push(i + 1);
  });
  return bad;
}

test('every measured figure in README.md and docs/ sits below a command that reproduces it', () => {
  const files = [
    'README.md',
    ...readdirSync(join(REPO, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const missing = files.flatMap((file) =>
    figuresWithoutCommand(readFileSync(join(REPO, file), 'utf8')).map(
      (line) => `${file}:${line}: ${readFileSync(join(REPO, file), 'utf8').split('\n')[line - 1]!.trim()}`,
    ),
  );
  assert.deepEqual(
    missing,
    [],
    'name the command that reproduces each figure in its section (e.g. `npm run bench -- "<suite>"`), or remove the figure',
  );
});

test('the check flags a figure whose section names no command, and passes it once one does', () => {
  const doc = ['# Page', '', 'Intro with no figure.', '', '## Speed', '', 'A hit takes 56 ns (1.46× a Map).', ''];
  assert.deepEqual(figuresWithoutCommand(doc.join('\n')), [7]);
  const named = [...doc.slice(0, 6), '`npm run bench -- "cache: key index"`:', ...doc.slice(6)];
  assert.deepEqual(figuresWithoutCommand(named.join('\n')), []);
  // A command in an earlier section does not cover the next one.
  assert.deepEqual(figuresWithoutCommand(['## A', '`npm run bench`', '## B', '3.2 µs'].join('\n')), [4]);
  // A command below the figure does not count.
  assert.deepEqual(figuresWithoutCommand(['## A', '120k ops/s', '`npm run bench`'].join('\n')), [2]);
});
