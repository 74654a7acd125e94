/**
 * The two embedded engines side by side, each as `npm start` runs it (a `concord serve`
 * process on a fresh data directory with the Gaza scenario): start time, memory, the
 * users list under 50 connections, money postings under 32, and a kill -9 loop during
 * postings that counts acknowledged postings missing afterwards.
 *
 *   npx tsx bench/engines-compare.ts            both engines
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Request } from 'autocannon';

const BIN = fileURLToPath(new URL('../bin/concord.mjs', import.meta.url));
const POSTING_SETUP = fileURLToPath(new URL('./posting-request.cjs', import.meta.url));
const PASSWORD = 'concord-demo-2026';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

interface Server {
  child: ChildProcess;
  url: string;
  startSeconds: number;
}

async function serve(engine: string, dataDir: string): Promise<Server> {
  const start = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      CONCORD_DATA_DIR: dataDir,
      CONCORD_SEED: 'gaza',
      DATABASE_URL: '',
      CONCORD_EMBEDDED_ENGINE: engine,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /is running at (http:\/\/\S+)/.exec(output);
      if (m && output.includes('API documentation')) resolve(m[1].replace('localhost', '127.0.0.1'));
    };
    child.stdout!.on('data', check);
    child.once('exit', () => reject(new Error(`server exited:\n${output}`)));
  });
  return { child, url, startSeconds: (performance.now() - start) / 1000 };
}

function stop(server: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill(signal);
  });
}

/** Proportional set size (MB) of a process and every descendant: the server and, for PostgreSQL, its processes. */
function memoryMb(root: number): number {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {}
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  // The embedded PostgreSQL runs in its own session, reparented on purpose: find it by its data directory too.
  let kb = 0;
  for (const pid of parent.keys()) {
    let counted = inTree(pid);
    if (!counted) {
      try {
        counted = readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${dataDirOf.get(root)}/postgres`);
        if (!counted) {
          const pp = parent.get(pid)!;
          counted = readFileSync(`/proc/${pp}/cmdline`, 'utf8').includes(`${dataDirOf.get(root)}/postgres`);
        }
      } catch {}
    }
    if (!counted) continue;
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      kb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {}
  }
  return kb / 1024;
}
const dataDirOf = new Map<number, string>();

async function signIn(url: string, email: string): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(`${url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const body = (await response.json()) as { csrfToken: string };
  return { cookie: response.headers.get('set-cookie')!.split(';')[0], csrf: body.csrfToken };
}

async function postingBodies(url: string, session: { cookie: string }): Promise<string[]> {
  const list = (await (await fetch(`${url}/api/funding/instruments?pageSize=100`, { headers: { cookie: session.cookie } })).json()) as {
    items: { id: string; currency?: string }[];
  };
  return list.items.map((i) => JSON.stringify({ instrumentId: i.id, amount: '10.00', valueDate: '2026-06-01', reference: 'bench' }));
}

async function load(url: string, connections: number, request: Request, setup?: string) {
  const base = { url, connections, workers: 1, timeout: 60, requests: [setup ? { ...request, setupRequest: setup } : request] };
  await autocannon({ ...base, duration: 1 });
  const r = await autocannon({ ...base, duration: SECONDS });
  return { rate: r['2xx'] / r.duration, p50: r.latency.p50, p99: r.latency.p99, failures: r.non2xx + r.errors };
}

async function receiptCount(url: string, session: { cookie: string }): Promise<number> {
  const r = await fetch(`${url}/api/funding/transactions?kind=receipt&pageSize=1`, { headers: { cookie: session.cookie } });
  return ((await r.json()) as { total: number }).total;
}

/** Postings from 16 concurrent writers until the server is killed; returns those acknowledged. */
async function postUntilKilled(server: Server, session: { cookie: string; csrf: string }, bodies: string[], killAfterMs: number) {
  let acknowledged = 0;
  let alive = true;
  const writer = async (w: number) => {
    for (let i = 0; alive; i++) {
      const body = JSON.parse(bodies[(w + i) % bodies.length]);
      body.reference = 'kill-loop';
      try {
        const r = await fetch(`${server.url}/api/funding/receipts`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            cookie: session.cookie,
            'x-csrf-token': session.csrf,
            'idempotency-key': randomUUID(),
          },
          body: JSON.stringify(body),
        });
        if (r.status === 201) acknowledged++;
        else await r.text();
      } catch {
        return;
      }
    }
  };
  const writers = Array.from({ length: 16 }, (_, w) => writer(w));
  await new Promise((resolve) => setTimeout(resolve, killAfterMs));
  await stop(server, 'SIGKILL');
  alive = false;
  await Promise.all(writers);
  return acknowledged;
}

async function measure(engine: 'pglite' | 'postgres') {
  const dir = await mkdtemp(join(tmpdir(), `concord-engines-${engine}-`));
  const row: Record<string, string> = {};
  try {
    let server = await serve(engine, dir);
    dataDirOf.set(server.child.pid!, dir);
    row['first start (initialise, migrate, load the scenario)'] = `${server.startSeconds.toFixed(1)} s`;
    row['memory after start (PSS, all processes)'] = `${memoryMb(server.child.pid!).toFixed(0)} MB`;
    await stop(server);
    server = await serve(engine, dir);
    dataDirOf.set(server.child.pid!, dir);
    row['second start'] = `${server.startSeconds.toFixed(1)} s`;

    const admin = await signIn(server.url, 'admin@concord.example');
    const list = await load(server.url, 50, { method: 'GET', path: '/api/users?page=1&pageSize=50', headers: { cookie: admin.cookie } });
    row['GET /api/users, 50 connections'] =
      `${list.rate.toFixed(0)} req/s · p50 ${list.p50} ms · p99 ${list.p99} ms${list.failures ? ` · ${list.failures} failed` : ''}`;

    const finance = await signIn(server.url, 'finance@concord.example');
    const bodies = await postingBodies(server.url, finance);
    process.env.BENCH_POSTING_BODIES = JSON.stringify(bodies);
    const posting = await load(
      server.url,
      32,
      {
        method: 'POST',
        path: '/api/funding/receipts',
        headers: { cookie: finance.cookie, 'x-csrf-token': finance.csrf, 'content-type': 'application/json' },
      },
      POSTING_SETUP,
    );
    row[`POST /api/funding/receipts, 32 connections (${bodies.length} instruments)`] =
      `${posting.rate.toFixed(0)} postings/s · p50 ${posting.p50} ms · p99 ${posting.p99} ms${posting.failures ? ` · ${posting.failures} failed` : ''}`;
    row['memory after load (PSS, all processes)'] = `${memoryMb(server.child.pid!).toFixed(0)} MB`;

    let acknowledged = 0;
    let lost = 0;
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      const session = await signIn(server.url, 'finance@concord.example');
      const before = await receiptCount(server.url, session);
      const acked = await postUntilKilled(server, session, bodies, 1500 + round * 300);
      server = await serve(engine, dir);
      dataDirOf.set(server.child.pid!, dir);
      const after = await receiptCount(server.url, await signIn(server.url, 'finance@concord.example'));
      acknowledged += acked;
      lost += Math.max(0, before + acked - after);
    }
    row[`kill -9 of the server during postings, ${rounds} rounds`] = `${acknowledged} acknowledged, ${lost} missing after restart`;
    await stop(server);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return row;
}

const results = { pglite: await measure('pglite'), postgres: await measure('postgres') };
console.log('\n| | PGlite (in process) | embedded PostgreSQL |\n| --- | --- | --- |');
for (const key of Object.keys(results.postgres)) console.log(`| ${key} | ${results.pglite[key] ?? '—'} | ${results.postgres[key]} |`);
