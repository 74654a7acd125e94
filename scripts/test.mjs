// `npm test`: the whole suite. Says plainly what it cannot run on this machine and how to
// enable it, builds the web app for the browser tests, then runs Vitest.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const chromium = existsSync('/usr/bin/chromium');
const postgres = process.env.TEST_DATABASE_URL;

const notes = [
  postgres
    ? `database: PostgreSQL (TEST_DATABASE_URL)`
    : 'database: an embedded PostgreSQL cluster started for the run. Skipped: the suite on your own PostgreSQL server; set TEST_DATABASE_URL=postgres://user@host:5432/db to run it there too',
  chromium
    ? 'browser tests: Chromium at /usr/bin/chromium'
    : 'skipped: browser tests, Chromium not found at /usr/bin/chromium (apt-get install chromium)',
];
console.log(`\n${notes.map((n) => `  ${n}`).join('\n')}\n`);

if (chromium) {
  const built = spawnSync(process.execPath, [join(root, 'scripts/build-web-if-needed.mjs')], { stdio: 'inherit', cwd: root });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const result = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
});
console.log(
  `\n${notes
    .filter((n) => n.startsWith('skipped') || n.includes('Skipped'))
    .map((n) => `  ${n}`)
    .join('\n')}`,
);
process.exit(result.status ?? 1);
