/**
 * The `headroom` command line program. Each subcommand lives in its own file under `commands/` and is
 * registered here. Usage errors print one line to stderr and exit 2.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';

/**
 * Every verb, in the order `--help` lists them, with the module that registers it. A verb's module
 * is loaded only when that verb runs (or when the whole list is needed: no verb, an unknown one,
 * `--help`), because the lab's web framework, drivers and charts take seconds to load and `doctor`
 * or `scale fit` need none of them.
 */
const VERBS: Readonly<Record<string, () => Promise<(program: Command) => void>>> = {
  doctor: async () => (await import('./commands/doctor.js')).registerDoctor,
  lab: async () => (await import('./commands/lab.js')).registerLab,
  scale: async () => (await import('./commands/scale.js')).registerScale,
  chaos: async () => (await import('./commands/chaos.js')).registerChaos,
  sim: async () => (await import('./commands/sim.js')).registerSim,
  'sim-vs-lab': async () => (await import('./commands/sim-vs-lab.js')).registerSimVsLab,
};

/** Exit code for usage errors (unknown command, bad flag). */
export const EXIT_USAGE = 2;

/** Builds the program with `verb` registered, or every verb when `verb` is not one of them. */
async function buildProgram(verb: string | undefined): Promise<Command> {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const program = new Command('headroom')
    .description('Caching, partitioning, balancing, tail latency and chaos for Node.js services')
    .version(pkg.version, '-v, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      outputError: (message, write) =>
        write(
          `${
            message
              .split('\n')
              .find((l) => l.trim() !== '')
              ?.trim() ?? message
          }\n`,
        ),
    });
  const load = verb !== undefined && Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
  for (const register of load === undefined ? Object.values(VERBS) : [load]) (await register())(program);
  return program;
}

/** Runs the CLI with `argv` (user arguments only); resolves to the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv.find((a) => !a.startsWith('-')));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    process.stderr.write(`headroom: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
