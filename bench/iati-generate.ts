/**
 * Writes a realistic IATI 2.03 activity file of at least the requested size (default 100 MB)
 * through the project's own writer: mission activities with pledges, commitments, receipts,
 * disbursements, expenditures and budgets, narratives in English and Arabic. The data comes
 * from a fixed seed, so every run writes the same file.
 *
 *   npx tsx bench/iati-generate.ts [path] [megabytes]
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IatiActivity } from '../src/server/modules/funding/standards/iati-model.ts';
import { writeIatiTo } from '../src/server/modules/funding/standards/iati-write.ts';
import { missionActivity, seeded } from '../src/server/modules/funding/standards/test-fixtures.ts';

export interface GeneratedIati {
  path: string;
  bytes: number;
  activities: number;
  transactions: number;
  seconds: number;
}

/** Writes activities until the file reaches `megabytes` (10^6 bytes). */
export async function generateIatiFile(path: string, megabytes: number): Promise<GeneratedIati> {
  const started = performance.now();
  const target = megabytes * 1_000_000;
  const random = seeded(2026);
  const counted = { activities: 0, transactions: 0 };
  const out = createWriteStream(path);
  function* activities(): Generator<IatiActivity> {
    // out.bytesWritten lags by what is buffered; the last activities overshoot a little.
    for (let n = 0; out.bytesWritten + out.writableLength < target; n++) {
      const activity = missionActivity(n, random);
      counted.activities++;
      counted.transactions += activity.transactions.length;
      yield activity;
    }
  }
  await writeIatiTo(activities(), out, { generatedAt: new Date('2026-01-01T00:00:00Z') });
  const { size } = await stat(path);
  return { path, bytes: size, ...counted, seconds: (performance.now() - started) / 1000 };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const path = process.argv[2] ?? join(tmpdir(), 'concord-iati-bench.xml');
  const megabytes = Number(process.argv[3] ?? 100);
  const result = await generateIatiFile(path, megabytes);
  console.log(
    `${result.path}: ${(result.bytes / 1e6).toFixed(1)} MB, ${result.activities.toLocaleString('en')} activities, ` +
      `${result.transactions.toLocaleString('en')} transactions, written in ${result.seconds.toFixed(1)} s`,
  );
}
