/**
 * The reading half of a funding import, run in a worker thread of the import pool
 * (import-pool.ts, decision 0014) so that parsing, checking and schema validation never hold
 * the server's event loop, and a hostile file meets the worker's memory limit rather than the
 * server's. The file arrives in chunks over a MessagePort, pulled one at a time; rows go back
 * in batches, at most one batch waiting for the database at a time. Nothing here touches the
 * database: the main thread stages the rows and decides, at the end, whether they are kept.
 */
import type { MessagePort } from 'node:worker_threads';
import { ftsRow, iatiRows, type StagedFlow } from './import-rows.ts';
import { FtsFormatError, readFts } from './standards/fts-read.ts';
import { duplicateTransactions } from './standards/iati-model.ts';
import { IatiFormatError, type IatiItem, readIati } from './standards/iati-read.ts';
import { withSchemaCheck } from './standards/iati-schema.ts';

export type ImportSource = 'iati' | 'fts';
export type ImportMode = 'strict' | 'lenient';

export interface ImportProblem {
  line: number | null;
  element: string;
  rule: string;
  detail: string;
}

/** An activity (IATI) or flow (FTS) left out, with every problem found in it. */
export interface ImportSkip {
  line: number | null;
  reference: string | null;
  transactions: number;
  problems: ImportProblem[];
}

/** A transaction that states exactly what an earlier one of the same activity states (both are kept). */
export interface ImportDuplicate {
  line: number | null;
  firstLine: number | null;
  reference: string;
}

export interface ReadOutcome {
  /** Why the whole file cannot be imported, in one sentence; null when it could be read. */
  refused: string | null;
  /** Activities (IATI) or flows (FTS) read, valid or not. */
  records: number;
  /** Transactions (or flows) of the valid records: the rows sent. */
  transactions: number;
  skipped: number;
  skippedTransactions: number;
  /** The first skips, with every problem (all are counted in `skipped`). */
  skips: ImportSkip[];
  duplicates: number;
  duplicateList: ImportDuplicate[];
  /** Strict reading stops after `listed` invalid records: the rest of the file was not read. */
  stoppedEarly: boolean;
}

export interface ImportTask {
  port: MessagePort;
  source: ImportSource;
  mode: ImportMode;
  /** Rows per batch sent back. */
  batch: number;
  /** How many skips and duplicates to list (all are counted). */
  listed: number;
  /** The largest FTS answer read, in bytes (it is parsed whole). */
  maxJsonBytes: number;
}

export type ToWorker = { type: 'chunk'; data: Uint8Array } | { type: 'end' } | { type: 'ack' };
export type FromWorker = { type: 'pull' } | { type: 'rows'; rows: StagedFlow[] };

/** The port's messages as two queues: file chunks, and acknowledgements of row batches. */
function inbox(port: MessagePort) {
  const queues = { chunk: [] as ToWorker[], ack: [] as ToWorker[] };
  const waiting: { chunk: ((m: ToWorker) => void) | null; ack: ((m: ToWorker) => void) | null } = { chunk: null, ack: null };
  port.on('message', (message: ToWorker) => {
    const kind = message.type === 'ack' ? 'ack' : 'chunk';
    const resolve = waiting[kind];
    if (resolve) {
      waiting[kind] = null;
      resolve(message);
    } else queues[kind].push(message);
  });
  const next = (kind: 'chunk' | 'ack') =>
    queues[kind].length > 0 ? Promise.resolve(queues[kind].shift()!) : new Promise<ToWorker>((resolve) => (waiting[kind] = resolve));
  return { next };
}

export default async function importTask(task: ImportTask): Promise<ReadOutcome> {
  const { port } = task;
  const messages = inbox(port);
  const post = (message: FromWorker) => port.postMessage(message);

  // The file, pulled a chunk ahead of the one being parsed.
  async function* chunks(): AsyncGenerator<Uint8Array> {
    post({ type: 'pull' });
    for (;;) {
      const message = await messages.next('chunk');
      if (message.type !== 'chunk') return;
      post({ type: 'pull' });
      yield message.data;
    }
  }

  let unacknowledged = 0;
  let pending: StagedFlow[] = [];
  const send = async (rows: StagedFlow[], force = false) => {
    pending.push(...rows);
    if (pending.length < task.batch && !(force && pending.length > 0)) return;
    if (unacknowledged > 0) {
      await messages.next('ack');
      unacknowledged--;
    }
    post({ type: 'rows', rows: pending });
    unacknowledged++;
    pending = [];
  };

  const outcome: ReadOutcome = {
    refused: null,
    records: 0,
    transactions: 0,
    skipped: 0,
    skippedTransactions: 0,
    skips: [],
    duplicates: 0,
    duplicateList: [],
    stoppedEarly: false,
  };
  const skip = (entry: ImportSkip) => {
    outcome.skipped++;
    outcome.skippedTransactions += entry.transactions;
    if (outcome.skips.length < task.listed) outcome.skips.push(entry);
  };
  const duplicate = (entry: ImportDuplicate) => {
    outcome.duplicates++;
    if (outcome.duplicateList.length < task.listed) outcome.duplicateList.push(entry);
  };
  // Strict: once something is invalid nothing will be kept, so rows stop; reading goes on
  // only to list a few more problems for the publisher to fix at once.
  const strictFailed = () => task.mode === 'strict' && outcome.skipped > 0;

  try {
    if (task.source === 'iati') {
      const items: AsyncIterable<IatiItem> = withSchemaCheck(readIati(chunks(), { withSource: true }));
      for await (const item of items) {
        outcome.records++;
        if (item.kind === 'invalid') {
          const { invalid } = item;
          skip({ line: invalid.line, reference: invalid.identifier, transactions: invalid.transactions, problems: invalid.problems });
          if (strictFailed() && outcome.skipped >= task.listed) {
            outcome.stoppedEarly = true;
            break;
          }
          continue;
        }
        const { activity } = item;
        for (const d of duplicateTransactions(activity))
          duplicate({
            line: activity.transactions[d.index].line ?? null,
            firstLine: activity.transactions[d.first].line ?? null,
            reference: `${activity.identifier}${activity.transactions[d.index].ref ? `|${activity.transactions[d.index].ref}` : ''}`,
          });
        outcome.transactions += activity.transactions.length;
        if (!strictFailed()) await send(iatiRows(activity));
      }
    } else {
      const parts: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of chunks()) {
        size += chunk.byteLength;
        if (size > task.maxJsonBytes)
          throw new FtsFormatError(
            `The FTS answer is larger than ${task.maxJsonBytes / 1e6} MB; ask FTS for smaller pages (its limit parameter) and import them one by one`,
          );
        parts.push(chunk);
      }
      const read = readFts(Buffer.concat(parts).toString('utf8'));
      outcome.records = read.flows.length + read.skips.length + read.duplicates.length;
      for (const s of read.skips)
        skip({
          line: null,
          reference: s.id ?? `flow #${s.index + 1}`,
          transactions: 1,
          problems: [{ line: null, element: 'flow', rule: 'fts', detail: s.reason }],
        });
      for (const d of read.duplicates) duplicate({ line: null, firstLine: null, reference: `FTS-${d.id}` });
      outcome.transactions = read.flows.length;
      if (!strictFailed()) for (const flow of read.flows) await send([ftsRow(flow)]);
    }
    if (!strictFailed()) await send([], true);
    while (unacknowledged > 0) {
      await messages.next('ack');
      unacknowledged--;
    }
  } catch (error) {
    if (!(error instanceof IatiFormatError || error instanceof FtsFormatError)) throw error;
    outcome.refused = error.message;
  } finally {
    port.close();
  }
  return outcome;
}
