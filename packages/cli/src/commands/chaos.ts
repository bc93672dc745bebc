/**
 * `headroom chaos`: break things on purpose, safely.
 *
 * - `headroom chaos run <experiment.yaml>`: checks the steady-state hypothesis, runs the method
 *   with its safeguards, checks the hypothesis again, and always runs the rollbacks (also on
 *   Ctrl-C); prints each step, writes the JSON journal and the HTML report. Exit code 0 when the
 *   hypothesis held, 1 when it did not or the run was aborted or failed, 130 when interrupted.
 * - `headroom chaos proxy`: serves the Toxiproxy-compatible API (127.0.0.1:8474 by default) until
 *   Ctrl-C, then closes every proxy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidOptionError, SeededRandom, defaultRandom } from 'headroom';
import { ChaosProxyServer, TOXIPROXY_API_VERSION, realProviders, runExperiment } from 'headroom/chaos';
import { activityLine, renderJournalSummary } from '../chaos/summary.js';
import { readExperiment } from '../chaos/read-experiment.js';
import { renderChaosReport } from '../chaos/report.js';
import { checkReportWritable, writeReport } from '../report/report-file.js';

/** Exit code of an interrupted run (128 + SIGINT), after its rollbacks. */
const EXIT_INTERRUPTED = 130;

interface RunFlags {
  readonly json?: boolean;
  readonly journal: string;
  readonly report?: string | false;
  readonly api: string;
}

interface ProxyFlags {
  readonly host: string;
  readonly port: string;
  readonly token?: string;
  readonly allowUpstream?: string[];
  readonly config?: string;
  readonly seed?: string;
}

/** Registers `headroom chaos run` and `headroom chaos proxy`. */
export function registerChaos(program: Command): void {
  const chaos = program.command('chaos').description('chaos experiments and a Toxiproxy-compatible chaos proxy');
  chaos
    .command('run')
    .description('run an experiment file (JSON or YAML, Chaos Toolkit shape): hypothesis, method with safeguards, rollbacks always')
    .argument('<file>', 'the experiment (.json, .yaml or .yml)')
    .option('--json', 'print the journal as JSON instead of progress and tables')
    .option('--journal <file>', 'where to write the JSON journal', 'chaos-journal.json')
    .option('--report <file>', 'where to write the HTML report (default: chaos-report.html)')
    .option('--no-report', 'do not write the HTML report')
    .option('--api <url>', 'the Toxiproxy-compatible API for toxiproxy providers without an api', 'http://127.0.0.1:8474')
    .action(async (file: string, flags: RunFlags) => {
      const experiment = readExperiment(file);
      const reportPath =
        flags.report === false
          ? null
          : checkReportWritable(
              flags.report ?? 'chaos-report.html',
              (reason) => new InvalidOptionError('--report', flags.report, `pass a writable path (${reason})`),
            );
      const journalPath = checkReportWritable(
        flags.journal,
        (reason) => new InvalidOptionError('--journal', flags.journal, `pass a writable path (${reason})`),
      );
      const say = (line: string): void => {
        if (flags.json !== true) process.stdout.write(`${line}\n`);
      };
      const interrupt = new AbortController();
      let presses = 0;
      const onSigint = (): void => {
        presses++;
        if (presses === 1) {
          say('interrupted: stopping the method and running the rollbacks…');
          interrupt.abort(new Error('interrupted'));
        } else say('the rollbacks are running; they always finish before the command exits');
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      // Library timers are unref'd; an open message port keeps the command alive through pauses.
      const keepAlive = new MessageChannel();
      keepAlive.port1.on('message', () => undefined);
      say(`${experiment.title}`);
      let journal;
      try {
        const token = process.env['HEADROOM_CHAOS_TOKEN'];
        journal = await runExperiment(experiment, {
          providers: realProviders({ toxiproxyApi: flags.api, ...(token === undefined || token === '' ? {} : { token }) }),
          signal: interrupt.signal,
          onEvent: (e) => {
            if (e.type === 'phase') say(`— ${e.phase} (${(e.atMs / 1000).toFixed(1)} s)`);
            else if (e.type === 'activity') say(activityLine(e.run));
            else if (e.type === 'safeguard' && !e.sample.tolerated) say(`✗ safeguard ${e.sample.probe} ${JSON.stringify(e.sample.values)}`);
            else if (e.type === 'stopping') say(`stopping: ${e.reason}`);
          },
        });
      } finally {
        keepAlive.port1.close();
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
      writeFileSync(journalPath, `${JSON.stringify(journal, null, 2)}\n`);
      if (flags.json === true) process.stdout.write(`${JSON.stringify(journal, null, 2)}\n`);
      else say(`\n${renderJournalSummary(journal)}\n\njournal: ${journalPath}`);
      if (reportPath !== null) {
        const failed = writeReport(reportPath, renderChaosReport(journal));
        if (failed === null) say(`report: ${reportPath}`);
        else process.stderr.write(`headroom: could not write the report ${reportPath}: ${failed}\n`);
      }
      process.exitCode = journal.status === 'completed' ? 0 : journal.status === 'interrupted' ? EXIT_INTERRUPTED : 1;
    });

  chaos
    .command('proxy')
    .description(`serve the Toxiproxy-compatible API (v${TOXIPROXY_API_VERSION}) until Ctrl-C; loopback only unless a token is set`)
    .option('--host <host>', 'API host', '127.0.0.1')
    .option('--port <port>', 'API port', '8474')
    .option('--token <secret>', 'require Authorization: Bearer <secret> (or set HEADROOM_CHAOS_TOKEN); needed off loopback')
    .option('--allow-upstream <host:port...>', 'non-loopback upstreams proxies may dial')
    .option('--config <file>', 'a JSON array of proxies to create at start (like toxiproxy-server -config)')
    .option('--seed <n>', 'seed for toxicity, jitter and slicer draws (default HEADROOM_SEED or random)')
    .action(async (flags: ProxyFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionError('--port', flags.port, 'pass a port 0-65535');
      if (flags.seed !== undefined && !Number.isInteger(Number(flags.seed)))
        throw new InvalidOptionError('--seed', flags.seed, 'pass an integer');
      const token = flags.token ?? (process.env['HEADROOM_CHAOS_TOKEN'] || undefined);
      const server = new ChaosProxyServer({
        host: flags.host,
        port,
        ...(token === undefined ? {} : { token }),
        allowUpstreams: flags.allowUpstream ?? [],
        random: flags.seed === undefined ? defaultRandom() : new SeededRandom(Number(flags.seed)),
      });
      await server.start();
      if (flags.config !== undefined) {
        let proxies: unknown;
        try {
          proxies = JSON.parse(readFileSync(flags.config, 'utf8'));
        } catch (error) {
          await server.stop();
          throw new InvalidOptionError('--config', flags.config, `pass a readable JSON array of proxies (${(error as Error).message})`);
        }
        try {
          await server.populate(proxies);
        } catch (error) {
          await server.stop();
          throw new InvalidOptionError('--config', flags.config, `fix the proxies: ${(error as Error).message}`);
        }
      }
      process.stdout.write(
        `chaos proxy API on http://${server.address} (Toxiproxy ${TOXIPROXY_API_VERSION} compatible)${token === undefined ? '' : ', token required'}; Ctrl-C stops it\n`,
      );
      for (const [name, p] of Object.entries(server.list())) process.stdout.write(`  ${name}: ${p.listen} → ${p.upstream}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.stop();
      process.stdout.write('chaos proxy stopped; every proxy closed\n');
    });
}
