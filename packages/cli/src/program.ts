/**
 * The `headroom` command line program. Each subcommand lives in its own file under `commands/` and is
 * registered here. Usage errors print one line to stderr and exit 2.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerChaos } from './commands/chaos.js';
import { registerDoctor } from './commands/doctor.js';
import { registerLab } from './commands/lab.js';
import { registerScale } from './commands/scale.js';
import { registerSim } from './commands/sim.js';
import { registerSimVsLab } from './commands/sim-vs-lab.js';

/** Exit code for usage errors (unknown command, bad flag). */
export const EXIT_USAGE = 2;

/** Builds the program with every subcommand registered; exported for tests. */
export function buildProgram(): Command {
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
  registerDoctor(program);
  registerLab(program);
  registerScale(program);
  registerChaos(program);
  registerSim(program);
  registerSimVsLab(program);
  return program;
}

/** Runs the CLI with `argv` (user arguments only); resolves to the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
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
