/**
 * PGlite engine. PGlite is one connection: every query and transaction is serialized by
 * PGlite itself, so transactions must stay short. A data directory must never be opened by
 * two processes; the server guards its directory with a lock file (see data-dir-lock.ts).
 */
import { PGlite, types } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.ts';
import { toQuery } from './db.ts';

const parsers = {
  [types.INT8]: (value: string) => Number(value),
  [types.NUMERIC]: (value: string) => value,
};

export async function openPglite(dataDir?: string, options: { loadDataDir?: Blob } = {}): Promise<PgliteDb> {
  const pg = await PGlite.create({ dataDir, parsers, loadDataDir: options.loadDataDir });
  return new PgliteDb(pg);
}

function wrap(target: Pick<PGlite, 'query' | 'exec'>): Queryable {
  return {
    async query<Row>(query: Parameters<typeof toQuery>[0], values?: unknown[]): Promise<QueryResult<Row>> {
      const { text, values: params } = toQuery(query, values);
      const result = await target.query<Row>(text, params);
      return { rows: result.rows, rowCount: result.rows.length || (result.affectedRows ?? 0) };
    },
    async exec(script: string): Promise<void> {
      await target.exec(script);
    },
  };
}

export class PgliteDb implements Db {
  readonly query: Queryable['query'];
  readonly exec: Queryable['exec'];

  constructor(readonly pg: PGlite) {
    ({ query: this.query, exec: this.exec } = wrap(pg));
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pg.transaction((tx) => work(wrap(tx)));
  }

  /** A snapshot of the whole database, used by tests to copy a migrated database cheaply. */
  async dump(): Promise<Blob> {
    return (await this.pg.dumpDataDir('none')) as Blob;
  }

  async close(): Promise<void> {
    if (!this.pg.closed) await this.pg.close();
  }
}
