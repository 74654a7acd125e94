/**
 * The `concord` command line: serve, migrate, seed, user management, audit checks, the
 * conditions long pole, and funding imports and exports.
 */
import { Argument, Command, Option } from 'commander';
import { ConfigError, loadConfig, VERSION } from '../server/config.ts';
import { DataDirBusyError, readLock } from '../server/db/data-dir.ts';
import { type Call, CliError, expectOk, type Streams } from './errors.ts';

// The server's modules load only for the commands that need them, so --help is quick.
const server = () => import('../server/server.ts');
const withApi: typeof import('./api.ts').withApi = async (config, work) => (await import('./api.ts')).withApi(config, work);
const openDatabase = async (config: ReturnType<typeof loadConfig>) => (await import('../server/db/open.ts')).openDatabase(config);

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

const DIMENSION_HEADINGS = {
  money_usd: 'money held back (USD)',
  personnel: 'personnel held back',
  aid_trucks_per_day: 'aid trucks per day held back',
  projects: 'projects held back',
} as const;

/** Rows as a plain text table, numbers right-aligned. */
function table(headings: string[], rows: string[][], rightAligned: number[]): string {
  const widths = headings.map((heading, i) => Math.max(heading.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headings), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const conditions = program.command('conditions').description('Conditions and what they hold back');

conditions
  .command('long-pole')
  .description('Rank the unmet conditions, and the stakeholders who must act on them, by what they hold back')
  .addOption(new Option('--dimension <dimension>', 'what to rank by').choices(Object.keys(DIMENSION_HEADINGS)).default('money_usd'))
  .option('--as-of <date>', 'use the statuses that held on this date (YYYY-MM-DD)')
  .action(async (options: { dimension: keyof typeof DIMENSION_HEADINGS; asOf?: string }) => {
    await withApi(loadConfig(), async (call) => {
      const query = options.asOf ? `?asOf=${encodeURIComponent(options.asOf)}` : '';
      const analysis = expectOk(await call('GET', `/api/conditions/analysis${query}`), 'compute the long pole');
      const ranking = analysis.longPole[options.dimension];
      const heading = DIMENSION_HEADINGS[options.dimension];
      if (!ranking.conditions.length) {
        console.log(`No unmet condition holds back any ${heading.replace(' held back', '')}.`);
        return;
      }
      type Ranked = { heldBack: Record<string, string | number> };
      const value = (item: Ranked) => String(item.heldBack[options.dimension]);
      console.log(
        table(
          ['#', 'condition', 'title', heading],
          ranking.conditions.map((c: Ranked & { code: string; titleEn: string }, i: number) => [
            String(i + 1),
            c.code,
            c.titleEn,
            value(c),
          ]),
          [0, 3],
        ),
      );
      console.log('');
      console.log(
        table(
          ['#', 'stakeholder', heading],
          ranking.stakeholders.map((s: Ranked & { name: string }, i: number) => [String(i + 1), s.name, value(s)]),
          [0, 2],
        ),
      );
    });
  });

const funding = program.command('funding').description('Funding data in and out of the public standards (IATI, OCHA FTS, HXL)');

const IMPORTS = { iati: 'application/xml', fts: 'application/json' } as const;
const EXPORTS = { iati: 'concord-iati.xml', hxl: 'concord-funding-hxl.csv', xlsx: 'concord-funding.xlsx' } as const;

funding
  .command('import')
  .description(
    "Import a donor's IATI activity file (2.01–2.03) or an OCHA FTS flow search (JSON) as reported flows; importing again adds nothing",
  )
  .addArgument(new Argument('<format>', 'the file format').choices(Object.keys(IMPORTS)))
  .argument('<file>', 'the file to import')
  .action(async (format: keyof typeof IMPORTS, file: string) => {
    const { createReadStream } = await import('node:fs');
    const { stat } = await import('node:fs/promises');
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
      const body = createReadStream(file).on('data', (chunk) => {
        read += chunk.length;
        bar.update(megabytes(read));
      });
      const response = await streams.upload(`/api/funding/imports/${format}`, body, IMPORTS[format]).finally(() => bar.stop());
      const summary = expectOk(response, `import ${file}`);
      const records =
        format === 'iati' ? `${summary.records} activities with ${summary.transactions} transactions` : `${summary.records} flows`;
      console.log(
        `Read ${records}: imported ${summary.imported}, already imported ${summary.alreadyImported}, skipped ${summary.skipped}.`,
      );
      for (const [status, { count, usd }] of Object.entries(summary.byStatus as Record<string, { count: number; usd: string }>))
        console.log(`  ${status.padEnd(12)} ${String(count).padStart(8)}  USD ${usd}`);
      if (summary.withoutRate) console.log(`  ${summary.withoutRate} imported amounts have no exchange rate to USD for their date yet.`);
      for (const skip of summary.skips as { line: number | null; level: string; reference: string | null; reason: string }[])
        console.log(
          `  skipped ${skip.level}${skip.line ? ` at line ${skip.line}` : ''}${skip.reference ? ` (${skip.reference})` : ''}: ${skip.reason}`,
        );
      if (summary.skipped > summary.skips.length) console.log(`  ... and ${summary.skipped - summary.skips.length} more skipped.`);
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

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CliError || error instanceof ConfigError || error instanceof DataDirBusyError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
