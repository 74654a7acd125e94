/**
 * IATI import throughput: the streaming reader on a generated IATI 2.03 file of at least
 * 100 MB (10 MB with BENCH_QUICK=1), beside `xmllint --stream --noout` on the same file as
 * the near-native reference. Each measurement runs three times, alternating, and the best
 * run counts; both wall time and CPU time are shown, because a shared machine's load moves
 * wall time more than the work done.
 *
 * Rows: xmllint (parse only, native); saxes alone with no handlers (the parser's floor in
 * JavaScript); the reader with a no-op consumer (parse and normalize, output discarded); and
 * the reader with what an importer does per item (counts, transaction keys, minor units).
 *
 * `runIatiReadBench()` returns rows for `npm run bench`; `npx tsx bench/iati-read.ts` runs
 * it alone. The file is generated once into the temporary directory and reused while its
 * size matches.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SaxesParser } from 'saxes';
import { transactionKeys } from '../src/server/modules/funding/standards/iati-model.ts';
import { emptySummary, readIati, tally } from '../src/server/modules/funding/standards/iati-read.ts';
import { toMinorUnits } from '../src/shared/money.ts';
import { generateIatiFile } from './iati-generate.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const MEGABYTES = QUICK ? 10 : 100;
const RUNS = 3;
const CHUNK = 1 << 20;
const HEAP_CAP_MB = 48;

export interface BenchRow {
  name: string;
  value: string;
}

interface Timing {
  wall: number;
  cpu: number;
}

/** The xmllint command's times, from bash's `times` (children's user and system CPU). */
function xmllint(path: string): Timing | string {
  const probe = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  if (probe.error) return 'xmllint not found: apt-get install -y libxml2-utils';
  const started = performance.now();
  const run = spawnSync('bash', ['-c', 'xmllint --stream --noout "$1" && times', 'bash', path], { encoding: 'utf8' });
  const wall = (performance.now() - started) / 1000;
  if (run.status !== 0) return `xmllint failed: ${run.stderr.slice(0, 200)}`;
  const [, children] = run.stdout.trim().split('\n');
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  return { wall, cpu: seconds };
}

// The highest resident memory seen while the reader runs: flat however large the file.
let peakRss = 0;

async function timed(work: () => Promise<unknown>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
}

async function saxesAlone(path: string) {
  const parser = new SaxesParser({ xmlns: false, position: true });
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) parser.write((chunk as Buffer).toString('latin1'));
  parser.close();
}

async function readerNoop(path: string) {
  for await (const _ of readIati(createReadStream(path, { highWaterMark: CHUNK }))) {
    // discarded
  }
}

async function readerImport(path: string) {
  const summary = emptySummary();
  let minor = 0n;
  for await (const item of readIati(createReadStream(path, { highWaterMark: CHUNK }))) {
    tally(summary, item);
    if (item.kind !== 'activity') continue;
    transactionKeys(item.activity);
    for (const t of item.activity.transactions) minor += toMinorUnits(t.value, t.currency);
  }
  return { summary, minor };
}

export async function runIatiReadBench(onProgress: (line: string) => void = console.log): Promise<BenchRow[]> {
  const path = join(tmpdir(), `concord-iati-bench-${MEGABYTES}mb.xml`);
  const rows: BenchRow[] = [];
  if (!existsSync(path) || statSync(path).size < MEGABYTES * 1_000_000) {
    onProgress(`writing a ${MEGABYTES} MB IATI file to ${path}...`);
    const made = await generateIatiFile(path, MEGABYTES);
    rows.push({
      name: `Write the file with the IATI writer (${made.activities.toLocaleString('en')} activities, ${made.transactions.toLocaleString('en')} transactions)`,
      value: `${made.seconds.toFixed(1)} s · ${(made.bytes / 1e6 / made.seconds).toFixed(1)} MB/s`,
    });
  }
  const megabytes = statSync(path).size / 1e6;
  const rssBefore = process.memoryUsage.rss();
  const best: Record<string, Timing> = {};
  const keep = (name: string, t: Timing) => {
    const was = best[name];
    best[name] = was ? { wall: Math.min(was.wall, t.wall), cpu: Math.min(was.cpu, t.cpu) } : t;
  };
  let xmllintProblem: string | null = null;
  let imported: Awaited<ReturnType<typeof readerImport>> | null = null;
  for (let run = 1; run <= RUNS; run++) {
    onProgress(`IATI read, run ${run} of ${RUNS}...`);
    const reference = xmllint(path);
    if (typeof reference === 'string') xmllintProblem = reference;
    else keep('xmllint', reference);
    keep('saxes', await timed(() => saxesAlone(path)));
    keep('noop', await timed(() => readerNoop(path)));
    keep(
      'import',
      await timed(async () => {
        imported = await readerImport(path);
      }),
    );
  }
  const speed = (t: Timing) => `${(megabytes / t.wall).toFixed(1)} MB/s wall · ${(megabytes / t.cpu).toFixed(1)} MB/s CPU`;
  rows.push({ name: 'File', value: `${megabytes.toFixed(1)} MB, IATI 2.03 (English and Arabic narratives)` });
  rows.push({ name: 'xmllint --stream --noout (libxml2, native, parse only)', value: xmllintProblem ?? speed(best.xmllint) });
  rows.push({ name: 'saxes alone, no handlers (JavaScript parse floor)', value: speed(best.saxes) });
  rows.push({ name: 'readIati, no-op consumer (parse + normalize)', value: speed(best.noop) });
  rows.push({ name: 'readIati + tally, transaction keys, minor units (importer work)', value: speed(best.import) });
  if (!xmllintProblem) {
    rows.push({
      name: 'readIati (no-op) ÷ xmllint throughput',
      value: `${(best.xmllint.wall / best.noop.wall).toFixed(2)}× wall · ${(best.xmllint.cpu / best.noop.cpu).toFixed(2)}× CPU (aim: 0.5×)`,
    });
  }
  rows.push({
    name: 'Peak resident memory while reading (process, before the reads)',
    value: `${Math.round(peakRss / 2 ** 20)} MiB (${Math.round(rssBefore / 2 ** 20)} MiB)`,
  });
  onProgress(`IATI read with the heap capped at ${HEAP_CAP_MB} MB...`);
  rows.push({ name: 'Bounded memory', value: cappedHeapRead(path, megabytes) });
  const result = imported as Awaited<ReturnType<typeof readerImport>> | null;
  if (result) {
    const s = result.summary;
    rows.push({
      name: 'Read back',
      value: `${s.activities.toLocaleString('en')} activities, ${s.transactions.toLocaleString('en')} transactions, ${s.invalid.activities} invalid activities`,
    });
  }
  return rows;
}

/** Reads the file in a child Node process whose heap is capped, to show memory stays bounded. */
function cappedHeapRead(path: string, megabytes: number): string {
  const run = spawnSync(
    process.execPath,
    [`--max-old-space-size=${HEAP_CAP_MB}`, '--import', 'tsx', fileURLToPath(import.meta.url), '--read', path],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) return `failed: ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' ')}`;
  return `${megabytes.toFixed(0)} MB file read with the heap capped at ${HEAP_CAP_MB} MB: ${run.stdout.trim()}`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === '--read') {
  let activities = 0;
  for await (const item of readIati(createReadStream(process.argv[3], { highWaterMark: CHUNK })))
    if (item.kind === 'activity') activities++;
  console.log(`${activities.toLocaleString('en')} activities`);
} else if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runIatiReadBench();
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const row of rows) console.log(`${row.name.padEnd(width)}  ${row.value}`);
}
