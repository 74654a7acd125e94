/**
 * What refusing a hostile import costs: a 200 MB file made of one text node, 14 MB of deep
 * nesting, and one activity of 40 MB, each streamed over HTTP to a server on the loopback
 * interface (a throw-away embedded PostgreSQL). For each: the time until the refusal, the peak resident
 * memory of the process (server and import worker) while refusing, and the slowest answer
 * of /api/health asked every 50 ms meanwhile. Figures only; nothing here passes or fails.
 *
 *   npx tsx bench/import-hostile.ts
 */
import { request } from 'node:http';
import { pathToFileURL } from 'node:url';
import { hashPassword } from '../src/server/modules/auth/credentials.ts';
import { prepareDatabase } from '../src/server/server.ts';
import { openBenchEmbedded } from './engines.ts';
import { signIn, startApp } from './measure.ts';

interface Row {
  name: string;
  value: string;
}

const MB = 1_000_000;

/** The hostile files, as generators of text chunks (never held whole). */
const CASES: { name: string; chunks: () => Generator<string> }[] = [
  {
    name: '200 MB of one text node',
    *chunks() {
      yield '<?xml version="1.0"?>\n<iati-activities version="2.03"><iati-activity><iati-identifier>';
      const piece = 'x'.repeat(64 * 1024);
      for (let sent = 0; sent < 200 * MB; sent += piece.length) yield piece;
      yield '</iati-identifier></iati-activity></iati-activities>';
    },
  },
  {
    name: '14 MB of deep nesting',
    *chunks() {
      yield '<?xml version="1.0"?>\n<iati-activities version="2.03" xmlns:x="http://example.org/x">';
      const piece = '<x:a>'.repeat(13_000);
      for (let sent = 0; sent < 14 * MB; sent += piece.length) yield piece;
    },
  },
  {
    name: 'one activity of 40 MB',
    *chunks() {
      yield '<?xml version="1.0"?>\n<iati-activities version="2.03"><iati-activity><iati-identifier>XM-1</iati-identifier>';
      const transaction =
        '<transaction><transaction-type code="3"/><transaction-date iso-date="2026-01-01"/><value currency="USD" value-date="2026-01-01">1</value></transaction>\n';
      const piece = transaction.repeat(500);
      for (let sent = 0; sent < 40 * MB; sent += piece.length) yield piece;
      yield '</iati-activity></iati-activities>';
    },
  },
];

function upload(url: string, cookie: string, csrf: string, chunks: Generator<string>): Promise<{ status: number; detail: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      `${url}/api/funding/imports/iati`,
      { method: 'POST', headers: { 'content-type': 'application/xml', cookie, 'x-csrf-token': csrf } },
      (res) => {
        answered = true;
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, detail: JSON.parse(text).detail ?? '' });
          req.destroy();
        });
      },
    );
    req.on('error', (error) => answered || reject(error));
    const pump = () => {
      if (answered || req.destroyed) return;
      const next = chunks.next();
      if (next.done) req.end();
      else if (req.write(next.value)) setImmediate(pump);
      else req.once('drain', pump);
    };
    pump();
  });
}

export async function runImportHostileBench(onProgress: (line: string) => void = () => {}): Promise<Row[]> {
  const bench = await openBenchEmbedded();
  const db = bench.db;
  await prepareDatabase(db, 'none');
  const org = await db.query<{ id: string }>("insert into organisations (name, type) values ('Bench donor', 'donor') returning id");
  const password = 'bench password 123';
  const user = await db.query<{ id: string }>(
    "insert into users (email, name, organisation_id, password_hash) values ('hostile@bench.example', 'Bench', $1, $2) returning id",
    [org.rows[0].id, await hashPassword(password)],
  );
  await db.query("insert into user_roles (user_id, role_key) values ($1, 'admin')", [user.rows[0].id]);
  const { app, url } = await startApp(db);
  const rows: Row[] = [];
  try {
    const session = await signIn(url, 'hostile@bench.example', password);
    const csrf = await fetch(`${url}/api/auth/session`, { headers: { cookie: session } })
      .then((r) => r.json())
      .then((b: { csrfToken?: string }) => b.csrfToken ?? '');
    for (const hostile of CASES) {
      onProgress(`refusing ${hostile.name}...`);
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      let slowest = 0;
      let asked = 0;
      let done = false;
      const health = (async () => {
        while (!done) {
          const started = performance.now();
          await fetch(`${url}/api/health`);
          slowest = Math.max(slowest, performance.now() - started);
          asked++;
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const started = performance.now();
      const answer = await upload(url, session, csrf, hostile.chunks());
      const seconds = (performance.now() - started) / 1000;
      done = true;
      await health;
      clearInterval(sampler);
      rows.push({
        name: hostile.name,
        value:
          `${answer.status} in ${seconds.toFixed(2)} s, peak RSS +${Math.round((peak - before) / 2 ** 20)} MiB, ` +
          `/api/health slowest ${slowest.toFixed(0)} ms of ${asked} — "${answer.detail.slice(0, 80)}"`,
      });
    }
  } finally {
    await app.close();
    await bench.dispose();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await runImportHostileBench((line) => console.log(line))) console.log(`${row.name}: ${row.value}`);
}
