/**
 * The pool of worker threads that read funding imports (piscina; decision 0014), and the
 * main thread's half of the conversation with one: it feeds the file a chunk at a time as
 * the worker asks for it and hands each batch of rows to `onRows` (which stages them in the
 * database) before acknowledging it. Each worker has a memory limit; a worker that reaches it
 * is ended by Node and the import is refused, while the server goes on answering.
 */
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { StagedFlow } from './import-rows.ts';
import type { FromWorker, ImportMode, ImportSource, ImportTask, ReadOutcome, ToWorker } from './import-worker.ts';

/** Memory a reading worker may use: enough for any real file read as a stream, far less than the server has. */
export const WORKER_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 } as const;
export const IMPORT_BATCH = 500;
export const LISTED = 200;
export const MAX_FTS_BYTES = 100_000_000;

let pool: Piscina | null = null;

function importPool(): Piscina {
  pool ??= new Piscina({
    filename: new URL('./import-worker.mjs', import.meta.url).href,
    // Two cores: one import reads while the other core serves requests and writes rows.
    minThreads: 0,
    maxThreads: 2,
    idleTimeout: 30_000,
    resourceLimits: WORKER_LIMITS,
  });
  return pool;
}

/** Ends the pool's threads (when the server closes). */
export async function closeImportPool(): Promise<void> {
  const closing = pool;
  pool = null;
  await closing?.destroy();
}

/** The worker ran out of the memory it may use: the file is refused, not the server. */
export class WorkerMemoryError extends Error {
  override name = 'WorkerMemoryError';
}

/**
 * Reads `source` in a worker. Resolves with what the worker found once every batch of rows
 * has gone through `onRows`; rejects if `onRows` fails or the worker dies.
 */
export async function readInWorker(
  source: AsyncIterable<string | Uint8Array>,
  options: { source: ImportSource; mode: ImportMode },
  onRows: (rows: StagedFlow[]) => Promise<void>,
): Promise<ReadOutcome> {
  const { port1, port2 } = new MessageChannel();
  const iterator = source[Symbol.asyncIterator]();
  const abort = new AbortController();
  let failure: unknown = null;
  // Messages are handled one after another, in the order they came.
  let queue = Promise.resolve();
  port1.on('message', (message: FromWorker) => {
    queue = queue.then(async () => {
      if (failure) return;
      try {
        if (message.type === 'pull') {
          const next = await iterator.next();
          if (next.done) return port1.postMessage({ type: 'end' } satisfies ToWorker);
          // A copy of just this chunk's bytes, moved (not copied again) to the worker.
          const data = typeof next.value === 'string' ? Buffer.from(next.value) : new Uint8Array(next.value);
          port1.postMessage({ type: 'chunk', data } satisfies ToWorker, [data.buffer as ArrayBuffer]);
        } else {
          await onRows(message.rows);
          port1.postMessage({ type: 'ack' } satisfies ToWorker);
        }
      } catch (error) {
        // The worker may be waiting for this answer: end it.
        failure = error;
        abort.abort();
      }
    });
  });
  const task: ImportTask = { port: port2, ...options, batch: IMPORT_BATCH, listed: LISTED, maxJsonBytes: MAX_FTS_BYTES };
  try {
    const outcome: ReadOutcome = await importPool().run(task, { transferList: [port2] as never, signal: abort.signal });
    if (failure) throw failure;
    return outcome;
  } catch (error) {
    if (failure) throw failure;
    if ((error as NodeJS.ErrnoException)?.code === 'ERR_WORKER_OUT_OF_MEMORY')
      throw new WorkerMemoryError(
        `The file needs more than the ${WORKER_LIMITS.maxOldGenerationSizeMb} MB of memory an import may use; it was refused`,
      );
    throw error;
  } finally {
    // A pull may still wait for the upload; its answer is not wanted, nor the rest of the file.
    port1.close();
    await iterator.return?.();
  }
}
