/**
 * The one database interface Concord uses: PostgreSQL through a `pg` pool, whether the
 * server is the embedded one Concord starts itself (embedded.ts) or one DATABASE_URL
 * names. Route code receives a Queryable and never knows which.
 *
 * Queries take either plain text with values or a `sql` tagged template from
 * sql-template-tag, which keeps every value parameterised.
 */
import type { Sql } from 'sql-template-tag';

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(query: Sql | string, values?: unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface Db extends Queryable {
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * `snapshot` makes it a read-only transaction that sees one snapshot throughout
   * (repeatable read), for reads that must agree with each other.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>, options?: { snapshot?: boolean }): Promise<T>;
  close(): Promise<void>;
}

export function toQuery(query: Sql | string, values?: unknown[]): { text: string; values: unknown[] } {
  return typeof query === 'string' ? { text: query, values: values ?? [] } : { text: query.text, values: query.values };
}

/** Returns the single row of a result, or undefined. */
export async function one<Row>(db: Queryable, query: Sql): Promise<Row | undefined> {
  const result = await db.query<Row>(query);
  return result.rows[0];
}

export async function many<Row>(db: Queryable, query: Sql): Promise<Row[]> {
  return (await db.query<Row>(query)).rows;
}
