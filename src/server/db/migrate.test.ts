import { afterEach, describe, expect, it } from 'vitest';
import { createEmptyDatabase, createTestDb, type TestDb } from '../../../test/support/test-db.ts';
import { verifyAudit } from '../modules/audit/audit.repo.ts';
import { loadMigrations, MigrationError, migrate } from './migrate.ts';
import { PostgresDb } from './postgres.ts';

let testDb: TestDb | undefined;
afterEach(async () => {
  await testDb?.drop();
  testDb = undefined;
});

describe('migrations', () => {
  it('are numbered plain SQL files, applied once and recorded', async () => {
    const migrations = await loadMigrations();
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    testDb = await createTestDb(); // already migrated by the test setup
    expect(await migrate(testDb.db)).toEqual([]);
    const recorded = await testDb.db.query<{ version: number; checksum: string }>(
      'select version, checksum from schema_migrations order by version',
    );
    expect(recorded.rows).toEqual(migrations.map((m) => ({ version: m.version, checksum: m.checksum })));
  });

  it('refuse an applied migration whose file was changed', async () => {
    testDb = await createTestDb();
    const [first, ...rest] = await loadMigrations();
    const edited = { ...first, sql: `${first.sql}\n-- edited`, checksum: 'different' };
    await expect(migrate(testDb.db, [edited, ...rest])).rejects.toThrow(MigrationError);
  });

  it('apply a new migration in its own transaction, and roll back a failing one whole', async () => {
    testDb = await createTestDb();
    const existing = await loadMigrations();
    const good = {
      version: 9001,
      name: 'add_table',
      sql: 'create table migration_probe (id int); insert into migration_probe values (1);',
      checksum: 'a',
    };
    expect(await migrate(testDb.db, [...existing, good])).toEqual([9001]);
    const bad = { version: 9002, name: 'broken', sql: 'create table half_done (id int); select * from no_such_table;', checksum: 'b' };
    await expect(migrate(testDb.db, [...existing, good, bad])).rejects.toThrow(/no_such_table/);
    const tables = await testDb.db.query(`select 1 from information_schema.tables where table_name = 'half_done'`);
    expect(tables.rowCount).toBe(0);
  });

  it('0002 keeps a chain written under 0001 intact, and chains new rows onto it', async () => {
    const [first, second] = await loadMigrations();
    const empty = await createEmptyDatabase();
    const db = new PostgresDb(empty.url, 2);
    try {
      await migrate(db, [first]);
      const insert = (action: string) =>
        db.query(
          `insert into audit_log (actor_label, action, entity_type, entity_id, after, prev_hash, hash)
                  values ('test', $1, 'probe', 'p1', '{"name": "بيت حانون", "n": 1.5}', '', '')`,
          [action],
        );
      for (const action of ['probe.one', 'probe.two', 'probe.three']) await insert(action);
      const before = (await db.query<{ hash: string }>('select hash from audit_log order by id')).rows;
      await migrate(db, [first, second]);
      expect(await verifyAudit(db)).toEqual({ status: 'intact', rows: 3 });
      await insert('probe.four');
      expect(await verifyAudit(db)).toEqual({ status: 'intact', rows: 4 });
      expect((await db.query<{ hash: string }>('select hash from audit_log order by id limit 3')).rows).toEqual(before);
    } finally {
      await db.close();
      await empty.drop();
    }
  });
});
