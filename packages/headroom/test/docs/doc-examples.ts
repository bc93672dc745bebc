/**
 * The `ts` code blocks of the user docs, as a test sees them: extracted with their line numbers,
 * type-checked against the source (as a user's project would compile them against the published
 * types, with the repo's strict compiler options), and run as real programs.
 *
 * The examples import `headroom` and `headroom/<module>` like a user does. A scratch directory
 * outside the repository links the repository's `node_modules` (where the workspace links
 * `headroom` to packages/headroom), so `headroom`, `undici`, `@types/node` and the rest resolve as
 * in the repo; the `headroom-source` export condition (`customConditions` for `tsc`,
 * `--conditions` for node) makes the library's doors resolve to its TypeScript sources. Each
 * example is an `.mts` file there: an ES module with top-level await.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const REPO = resolve(import.meta.dirname, '../../../..');

/** One fenced `ts` block of a doc. */
export interface DocExample {
  /** The doc, relative to the repository (`docs/balance.md`). */
  readonly doc: string;
  /** 1-based position among the doc's `ts` blocks. */
  readonly ordinal: number;
  /** Line of the doc on which the code starts (the line after the fence). */
  readonly line: number;
  /** The code. */
  readonly code: string;
  /** `docs/balance.md#1` — how tests and messages name it. */
  readonly name: string;
}

/** Every ```ts block of `doc` (a path relative to the repository), in order. */
export function extractExamples(doc: string): DocExample[] {
  const lines = readFileSync(join(REPO, doc), 'utf8').split('\n');
  const out: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    if (end === lines.length) throw new Error(`${doc}:${i + 1}: unterminated code block`);
    const ordinal = out.length + 1;
    out.push({ doc, ordinal, line: start + 1, code: lines.slice(start, end).join('\n') + '\n', name: `${doc}#${ordinal}` });
    i = end;
  }
  return out;
}

/** A scratch directory where examples are written, checked and run; `dispose()` removes it. */
export class ExampleWorkspace {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'headroom-doc-examples-'));
    symlinkSync(join(REPO, 'node_modules'), join(this.dir, 'node_modules'), 'dir');
    const base = JSON.parse(readFileSync(join(REPO, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    writeFileSync(
      join(this.dir, 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: {
            ...base.compilerOptions,
            noEmit: true,
            customConditions: ['headroom-source'],
          },
          include: ['*.mts'],
        },
        null,
        2,
      ),
    );
  }

  /** The file an example is written to. */
  fileOf(example: DocExample): string {
    return join(this.dir, `${example.doc.replace(/^docs\//, '').replace(/\.md$/, '')}-${example.ordinal}.mts`);
  }

  /** Writes `code` (default: the example's own) as the example's file and returns its path. */
  write(example: DocExample, code = example.code): string {
    const file = this.fileOf(example);
    writeFileSync(file, code);
    return file;
  }

  /**
   * Type-checks the written examples in one program with the repo's compiler options.
   * @returns one line per diagnostic, located in the doc (`docs/x.md:LINE: TSxxxx message`)
   */
  typecheck(examples: readonly DocExample[]): string[] {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(this.dir, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    );
    if (config === undefined) throw new Error('could not read the examples tsconfig');
    const byFile = new Map(examples.map((e) => [this.fileOf(e), e]));
    const program = ts.createProgram({ rootNames: [...byFile.keys()], options: config.options });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
      const example = d.file === undefined ? undefined : byFile.get(resolve(d.file.fileName));
      if (d.file === undefined || d.start === undefined) return `TS${d.code} ${text}`;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      const where = example === undefined ? `${d.file.fileName}:${line + 1}` : `${example.doc}:${example.line + line}`;
      return `${where}: TS${d.code} ${text}`;
    });
  }

  /**
   * Runs a written example with `node --conditions=headroom-source --import tsx` from the
   * workspace (so `headroom/*` resolve to the library's sources) and collects its output. The process must exit on its own: an example that
   * leaves a server or a timer holding the event loop open is killed after `hangMs` and
   * reported with `hung: true` — that is a broken example, not a slow machine.
   */
  run(file: string, hangMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string; hung: boolean }> {
    return new Promise((resolvePromise) => {
      const child = spawn(process.execPath, ['--conditions=headroom-source', '--import', 'tsx', file], {
        cwd: this.dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let hung = false;
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
      });
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        stderr += s;
      });
      const guard = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, hangMs);
      child.on('close', (code) => {
        clearTimeout(guard);
        resolvePromise({ code, stdout, stderr, hung });
      });
    });
  }

  /** Removes the scratch directory. */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
