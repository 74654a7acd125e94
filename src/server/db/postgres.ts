/**
 * PostgreSQL through a `pg` pool. int8 comes back as a number (counts and ids fit),
 * numeric as an exact decimal string.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Db, Queryable, QueryResult } from './db.ts';
import { toQuery } from './db.ts';

pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/**
 * Every query with values is a named prepared statement, named after its text: a connection
 * parses and plans it once and then only binds and runs it (PostgreSQL plans again when a
 * custom plan would be better, or when a table it reads changes). The texts are those of the
 * code's SQL templates, a bounded set, since values never enter them.
 */
const names = new Map<string, string>();
/** Beyond this many texts (SQL built some other way), statements are no longer kept. */
const MAX_NAMED = 5000;
function statementName(text: string, params: unknown[]): string | undefined {
  if (!params.length) return undefined;
  let name = names.get(text);
  if (!name) {
    if (names.size >= MAX_NAMED) return undefined;
    name = `q${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  // One connection answers one query at a time: queries of a transaction that code starts
  // together (Promise.all) are sent one after another, in the order they were asked.
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(send: () => Promise<T>): Promise<T> => {
    if (client instanceof pg.Pool) return send();
    const turn = queue.then(send, send);
    queue = turn.catch(() => {});
    return turn;
  };
  return {
    async query<Row>(query: Parameters<typeof toQuery>[0], values?: unknown[]): Promise<QueryResult<Row>> {
      const { text, values: params } = toQuery(query, values);
      const result = await inTurn(() => client.query({ name: statementName(text, params), text, values: params }));
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(script: string): Promise<void> {
      await inTurn(() => client.query(script));
    },
  };
}

export class PostgresDb implements Db {
  readonly pool: pg.Pool;
  readonly query: Queryable['query'];
  readonly exec: Queryable['exec'];

  constructor(connectionString: string, max = 10) {
    this.pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5000 });
    // An idle client losing its server must not crash the process; the next query reports it.
    this.pool.on('error', () => {});
    ({ query: this.query, exec: this.exec } = wrap(this.pool));
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>, options: { snapshot?: boolean } = {}): Promise<T> {
    const client = await this.pool.connect();
    // A connection can fail between two queries of the transaction (the server restarts,
    // say): the client then emits 'error', which must not crash the process. The next query
    // fails, the transaction rolls back, and the broken client is discarded, not reused.
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query(options.snapshot ? 'begin isolation level repeatable read read only' : 'begin');
      const result = await work(wrap(client));
      await client.query('commit');
      return result;
    } catch (error) {
      broken ??= await client.query('rollback').then(
        () => undefined,
        (failed: Error) => failed,
      );
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
