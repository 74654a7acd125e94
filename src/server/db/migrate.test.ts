import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/test-db.ts';
import { loadMigrations, MigrationError, migrate } from './migrate.ts';

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
});
