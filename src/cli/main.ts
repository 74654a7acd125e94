/**
 * The `concord` command line: serve, migrate, seed, user management, audit checks, the
 * conditions long pole, and funding imports and exports.
 */
import { Argument, Command, Option } from 'commander';
import { ConfigError, loadConfig, VERSION } from '../server/config.ts';
import { DataDirBusyError, readLock } from '../server/db/data-dir.ts';
import { EmbeddedUnavailableError } from '../server/db/embedded.ts';
import { type Call, CliError, expectOk, type Streams } from './errors.ts';
import { ledgerCheckReport } from './ledger-check.ts';
import { DIMENSION_NAMES, type Dimension, longPoleReport } from './long-pole.ts';

// The server's modules load only for the commands that need them, so --help is quick.
const server = () => import('../server/server.ts');
const withApi: typeof import('./api.ts').withApi = async (config, work) => (await import('./api.ts')).withApi(config, work);
const openDatabase = async (config: ReturnType<typeof loadConfig>) =>
  (await import('../server/db/open.ts')).openDatabase(config, (line) => console.error(line));

const program = new Command('concord')
  .description('Concord: coordination platform for a donor-funded, multinational stabilization mission')
  .version(VERSION)
  .addHelpText(
    'after',
    `
Configuration comes from the environment: PORT, CONCORD_DATA_DIR, DATABASE_URL, CONCORD_SEED
(see the README). With the embedded database, commands that change data go through the
running server when one holds the data directory.`,
  );

/** Refuses to touch a data directory a running server holds. */
function refuseIfServed(action: string) {
  const config = loadConfig();
  if (config.databaseUrl) return config;
  const holder = readLock(config.dataDir);
  if (holder) {
    throw new CliError(
      `A Concord server (pid ${holder.pid}${holder.address ? `, ${holder.address}` : ''}) holds ${config.dataDir}. ` +
        `It ${action} when it started; stop it first if you need to run this yourself.`,
    );
  }
  return config;
}

program
  .command('serve')
  .description('Serve the web app and the API (the default for npm start)')
  .action(async () => {
    const config = loadConfig();
    await (await server()).startServer(config, { handleSignals: true });
  });

program
  .command('migrate')
  .description('Apply pending database migrations')
  .action(async () => {
    const opened = await openDatabase(refuseIfServed('applied the migrations'));
    try {
      const applied = await (await import('../server/db/migrate.ts')).migrate(opened.db);
      console.log(applied.length ? `Applied migrations ${applied.join(', ')}.` : 'The database is up to date.');
    } finally {
      await opened.close();
    }
  });

program
  .command('seed')
  .description('Load the Gaza scenario (does nothing if it is already loaded)')
  .action(async () => {
    const opened = await openDatabase(refuseIfServed('loaded the scenario'));
    try {
      await (await server()).prepareDatabase(opened.db, 'none');
      const { seedGaza } = await import('../server/scenario/gaza.ts');
      console.log((await seedGaza(opened.db)) ? 'Loaded the Gaza scenario.' : 'The Gaza scenario is already loaded.');
    } finally {
      await opened.close();
    }
  });

async function userIdByEmail(call: Call, email: string): Promise<string> {
  const page = expectOk(await call('GET', `/api/users?q=${encodeURIComponent(email)}&pageSize=100`), 'find the user');
  const user = page.items.find((item: { email: string }) => item.email === email.toLowerCase());
  if (!user) throw new CliError(`No user with the email ${email}.`);
  return user.id;
}

const user = program.command('user').description('Manage users');

user
  .command('add')
  .description('Create a user')
  .requiredOption('--email <email>', 'sign-in email')
  .requiredOption('--name <name>', 'full name')
  .requiredOption('--organisation <name>', 'organisation name (or id)')
  .option('--role <role...>', 'role keys, e.g. admin force_planner', [])
  .addOption(new Option('--locale <locale>', 'language').choices(['en', 'ar']).default('en'))
  .requiredOption('--password <password>', 'initial password (at least 10 characters)')
  .action(async (options) => {
    await withApi(loadConfig(), async (call) => {
      const orgs = expectOk(
        await call('GET', `/api/organisations?q=${encodeURIComponent(options.organisation)}&pageSize=100`),
        'find the organisation',
      );
      const org =
        orgs.items.find(
          (o: { id: string; name: string }) => o.id === options.organisation || o.name.toLowerCase() === options.organisation.toLowerCase(),
        ) ?? (orgs.items.length === 1 ? orgs.items[0] : undefined);
      if (!org) throw new CliError(`No organisation named "${options.organisation}".`);
      const created = expectOk(
        await call('POST', '/api/users', {
          email: options.email,
          name: options.name,
          organisationId: org.id,
          roles: options.role,
          locale: options.locale,
          password: options.password,
        }),
        'create the user',
      );
      console.log(
        `Created ${created.email} (${created.name}) in ${created.organisation.name} with roles: ${created.roles.join(', ') || 'none'}.`,
      );
    });
  });

user
  .command('disable <email>')
  .description('Disable a user and end their sessions')
  .action(async (email: string) => {
    await withApi(loadConfig(), async (call) => {
      const id = await userIdByEmail(call, email);
      expectOk(await call('POST', `/api/users/${id}/disable`), 'disable the user');
      console.log(`Disabled ${email}; their sessions have ended.`);
    });
  });

user
  .command('reset-password <email>')
  .description('Set a new password (generated unless --password is given)')
  .option('--password <password>', 'the new password')
  .action(async (email: string, options) => {
    await withApi(loadConfig(), async (call) => {
      const id = await userIdByEmail(call, email);
      const result = expectOk(
        await call('POST', `/api/users/${id}/reset-password`, options.password ? { password: options.password } : {}),
        'reset the password',
      );
      console.log(`New password for ${email}: ${result.temporaryPassword}`);
    });
  });

const audit = program.command('audit').description('The audit trail');

audit
  .command('verify')
  .description(
    'Check the audit log against its signed tree heads and the checkpoint file: intact, or the first record that is not what was sealed',
  )
  .option('--since-checkpoint', 'recompute only the records sealed since the tree last found intact')
  .action(async (options: { sinceCheckpoint?: boolean }) => {
    await withApi(loadConfig(), async (call) => {
      const query = options.sinceCheckpoint ? '?since=checkpoint' : '';
      const result = expectOk(await call('GET', `/api/audit/verify${query}`), 'verify the audit trail');
      const head = result.latestHead
        ? `the newest signed tree head (${result.latestHead.treeSize} records, ${new Date(result.latestHead.timestamp).toISOString()}) matches`
        : 'nothing is sealed yet';
      const checked = `checked ${result.checkedRecords} records${result.since ? ` sealed since ${result.since.treeSize}` : ''} in ${result.seconds} s`;
      const waiting = result.pending ? `; ${result.pending} waiting to be sealed` : '';
      if (result.status === 'intact') {
        console.log(`intact: ${result.records} records, each as it was sealed; ${head} (${checked}${waiting}).`);
        return;
      }
      const bad = result.firstBad;
      const where =
        bad.seq !== null || bad.id !== null ? ` at record ${bad.id ?? '?'}${bad.seq !== null ? ` (place ${bad.seq})` : ''}` : '';
      console.log(`broken${where}: ${bad.detail}`);
      for (const finding of result.findings.filter((f: { detail: string }) => f.detail !== bad.detail))
        console.log(`  also: ${finding.detail}`);
      process.exitCode = 1;
    });
  });

const conditions = program.command('conditions').description('Conditions and what they hold back');

conditions
  .command('long-pole')
  .description(
    'Rank the unmet conditions, and the stakeholders who must act on them, by what they hold back together with others and alone',
  )
  .addOption(new Option('--dimension <dimension>', 'what to rank by').choices(Object.keys(DIMENSION_NAMES)).default('money_usd'))
  .option('--as-of <date>', 'use the statuses that held on this date (YYYY-MM-DD)')
  .action(async (options: { dimension: Dimension; asOf?: string }) => {
    await withApi(loadConfig(), async (call) => {
      const query = options.asOf ? `?asOf=${encodeURIComponent(options.asOf)}` : '';
      const analysis = expectOk(await call('GET', `/api/conditions/analysis${query}`), 'compute the long pole');
      console.log(longPoleReport(analysis, options.dimension));
    });
  });

const funding = program
  .command('funding')
  .description('Funding data in and out of the public standards (IATI, OCHA FTS, HXL), and the ledger check');

const IMPORTS = { iati: 'application/xml', fts: 'application/json' } as const;
const EXPORTS = { iati: 'concord-iati.xml', hxl: 'concord-funding-hxl.csv', xlsx: 'concord-funding.xlsx' } as const;

interface ImportProblemLine {
  line: number | null;
  element: string;
  rule: string;
  detail: string;
}
interface ImportSkipLine {
  line: number | null;
  reference: string | null;
  problems: ImportProblemLine[];
}

/** Each record left out, and every problem found in it, one per line. */
function printSkips(print: (line: string) => void, skips: ImportSkipLine[], total: number, what: string) {
  for (const skip of skips) {
    print(`  ${what} at line ${skip.line ?? '?'}${skip.reference ? ` (${skip.reference})` : ''}:`);
    for (const p of skip.problems)
      print(`    ${p.line ? `line ${p.line}, ` : ''}${p.element ? `${p.element}, ` : ''}rule ${p.rule}: ${p.detail}`);
  }
  if (total > skips.length) print(`  ... and ${total - skips.length} more.`);
}

funding
  .command('import')
  .description(
    "Import a donor's IATI activity file (2.01–2.03) or an OCHA FTS flow search (JSON) as reported flows, all or nothing; importing again adds nothing",
  )
  .addArgument(new Argument('<format>', 'the file format').choices(Object.keys(IMPORTS)))
  .argument('<file>', 'the file to import')
  .option('--lenient', 'import the valid activities and list each one left out (by default any invalid activity refuses the file)')
  .action(async (format: keyof typeof IMPORTS, file: string, options: { lenient?: boolean }) => {
    const { createReadStream } = await import('node:fs');
    const { stat } = await import('node:fs/promises');
    const { basename } = await import('node:path');
    const { Transform, pipeline } = await import('node:stream');
    const size = (
      await stat(file).catch(() => {
        throw new CliError(`Cannot read ${file}: no such file.`);
      })
    ).size;
    await withApi(loadConfig(), async (_call, streams: Streams) => {
      const { SingleBar, Presets } = (await import('cli-progress')).default;
      // A progress bar on the terminal only (nothing when the output goes to a file or a pipe).
      const bar = new SingleBar(
        { stream: process.stderr, format: ' {bar} {percentage}% · {value}/{total} MB · {duration}s', hideCursor: true },
        Presets.shades_classic,
      );
      const megabytes = (bytes: number) => Math.round(bytes / 1e5) / 10;
      bar.start(megabytes(size), 0);
      let read = 0;
      // The bar counts the bytes as they pass on to the upload; a 'data' listener on the file
      // itself would start it flowing before the upload reads it, and lose what came first.
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          read += chunk.length;
          bar.update(megabytes(read));
          done(null, chunk);
        },
      });
      const body = pipeline(createReadStream(file), counted, () => undefined);
      const query = `?mode=${options.lenient ? 'lenient' : 'strict'}&fileName=${encodeURIComponent(basename(file))}`;
      const response = await streams.upload(`/api/funding/imports/${format}${query}`, body, IMPORTS[format]).finally(() => bar.stop());
      const what = format === 'iati' ? 'activity' : 'flow';
      if (response.status === 422 && response.body?.code === 'funding.import-refused') {
        const problem = response.body;
        console.error(`Refused ${file}, nothing was imported: ${problem.detail}`);
        printSkips(console.error, problem.skips ?? [], problem.skipped ?? 0, `invalid ${what}`);
        process.exitCode = 1;
        return;
      }
      const report = expectOk(response, `import ${file}`);
      const records =
        format === 'iati' ? `${report.records} activities with ${report.transactions} transactions` : `${report.records} flows`;
      console.log(`Read ${records}: imported ${report.imported}, already imported ${report.alreadyImported}, left out ${report.skipped}.`);
      type Figure = {
        status: string;
        direction: string | null;
        count: number;
        usd: string;
        unconverted: { count: number; amounts: { currency: string; amount: string }[] };
      };
      for (const f of report.figures as Figure[]) {
        console.log(`  ${(f.direction ?? '').padEnd(9)} ${f.status.padEnd(12)} ${String(f.count).padStart(8)}  USD ${f.usd}`);
        if (f.unconverted.count)
          console.log(
            `  ${' '.repeat(9)} ${' '.repeat(12)} not in the USD total, no exchange rate: ${f.unconverted.count} (${f.unconverted.amounts.map((a) => `${a.currency} ${a.amount}`).join(', ')})`,
          );
      }
      printSkips(console.log, report.skips, report.skipped, `left out ${what}`);
      for (const d of report.duplicateList as { line: number | null; firstLine: number | null; reference: string }[])
        console.log(
          `  duplicate transaction at line ${d.line} (${d.reference}) states the same as line ${d.firstLine}; both were imported`,
        );
      if (report.duplicates > report.duplicateList.length)
        console.log(`  ... and ${report.duplicates - report.duplicateList.length} more duplicates.`);
    });
  });

funding
  .command('export')
  .description("Export the mission's funding as IATI 2.03 XML, HXL-tagged CSV or XLSX")
  .addArgument(new Argument('<format>', 'the file format').choices(Object.keys(EXPORTS)))
  .option('-o, --output <file>', 'write to this file (default: standard output, or the usual file name for xlsx)')
  .action(async (format: keyof typeof EXPORTS, options: { output?: string }) => {
    const { createWriteStream } = await import('node:fs');
    const output = options.output ?? (format === 'xlsx' ? EXPORTS.xlsx : undefined);
    await withApi(loadConfig(), async (_call, streams: Streams) => {
      const file = output ? createWriteStream(output) : undefined;
      expectOk(await streams.download(`/api/funding/exports/${format}`, file ?? process.stdout), `export ${format}`);
      if (file) {
        await new Promise<void>((resolve) => file.end(() => resolve()));
        console.error(`Wrote ${output}.`);
      }
    });
  });

funding
  .command('check')
  .description(
    'Recompute every ledger balance and monthly figure from the entries, and report each that differs from what the ledger keeps',
  )
  .action(async () => {
    await withApi(loadConfig(), async (call) => {
      const result = expectOk(await call('GET', '/api/funding/ledger/check'), 'check the ledger');
      console.log(ledgerCheckReport(result));
      if (result.status !== 'consistent') process.exitCode = 1;
    });
  });

try {
  await program.parseAsync();
} catch (error) {
  if (
    error instanceof CliError ||
    error instanceof ConfigError ||
    error instanceof DataDirBusyError ||
    error instanceof EmbeddedUnavailableError
  ) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
