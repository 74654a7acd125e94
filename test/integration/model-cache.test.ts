/**
 * The kept analysis model against the plain answer: after any sequence of writes, made in
 * SQL as any process could make them (conditions, statuses, requirements, classifications,
 * stakeholders, gated commitments, gates, deletions, several in one transaction), the model
 * kept and patched between requests gives every caller exactly the analysis and gate states
 * that a model built from nothing gives. And writers never wait on one another for it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/server/http/actor.ts';
import { systemActor } from '../../src/server/http/authenticate.ts';
import { analyse, type Expression } from '../../src/server/modules/conditions/analysis.ts';
import { presentAnalysis } from '../../src/server/modules/conditions/conditions.service.ts';
import { stateOf } from '../../src/server/modules/conditions/gate-state.ts';
import { ModelCache, type VisibleModel } from '../../src/server/modules/conditions/model-cache.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let orgA: string;
let orgB: string;
let actors: Actor[];

const actorOf = (organisationId: string | null, organisationType: Actor['organisationType']): Actor => ({
  kind: 'session',
  userId: null,
  email: null,
  name: 'test',
  organisationId,
  organisationType,
  permissions: new Set(),
});

beforeAll(async () => {
  t = await startTestApp();
  orgA = (await t.organisation('authority')).id;
  orgB = (await t.organisation('donor')).id;
  const hq = (await t.organisation('force_headquarters')).id;
  actors = [actorOf(orgA, 'authority'), actorOf(orgB, 'donor'), actorOf(hq, 'force_headquarters'), systemActor('test'), null as never];
});
afterAll(() => t?.close());

/** What a caller sees of a model, in an order that does not depend on how the model was built. */
function view(loaded: VisibleModel) {
  const analysis = analyse(loaded.model);
  const presented = presentAnalysis(loaded, analysis, null);
  return {
    ...presented,
    conditions: [...presented.conditions].sort((a, b) => a.id.localeCompare(b.id)),
    gates: [...loaded.gates.values()]
      .map((g) => ({ id: g.id, label: g.label, open: analysis.gates.get(g.id)!.open, state: stateOf(loaded, g.expression) }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    stakeholders: [...loaded.stakeholders.keys()].sort(),
  };
}

const CLASSIFICATIONS = ['public', 'mission', 'restricted'] as const;
const STATUSES = ['unmet', 'partially_met', 'met', 'failed', 'waived'] as const;

type Op =
  | { kind: 'condition'; classification: number; status: number; requires: number[]; or: boolean; date: boolean }
  | { kind: 'status'; condition: number; status: number }
  | { kind: 'classify'; condition: number; classification: number; shared: boolean }
  | { kind: 'stakeholder'; condition: number; classification: number }
  | { kind: 'commitment'; gate: number[]; or: boolean; money: number; classification: number }
  | { kind: 'value'; commitment: number; money: number }
  | { kind: 'ungate'; commitment: number }
  | { kind: 'delete'; commitment: number };

const pick = fc.nat({ max: 50 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('condition' as const),
    classification: fc.nat({ max: 2 }),
    status: fc.nat({ max: 4 }),
    requires: fc.array(pick, { maxLength: 2 }),
    or: fc.boolean(),
    date: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('status' as const), condition: pick, status: fc.nat({ max: 4 }) }),
  fc.record({ kind: fc.constant('classify' as const), condition: pick, classification: fc.nat({ max: 2 }), shared: fc.boolean() }),
  fc.record({ kind: fc.constant('stakeholder' as const), condition: pick, classification: fc.nat({ max: 2 }) }),
  fc.record({
    kind: fc.constant('commitment' as const),
    gate: fc.array(pick, { minLength: 1, maxLength: 3 }),
    or: fc.boolean(),
    money: fc.nat({ max: 1_000_000 }),
    classification: fc.nat({ max: 2 }),
  }),
  fc.record({ kind: fc.constant('value' as const), commitment: pick, money: fc.nat({ max: 1_000_000 }) }),
  fc.record({ kind: fc.constant('ungate' as const), commitment: pick }),
  fc.record({ kind: fc.constant('delete' as const), commitment: pick }),
);

describe('the kept analysis model', () => {
  it('gives every caller what a model built from nothing gives, after any writes', { timeout: 240_000 }, async () => {
    const kept = new ModelCache(t.db, t.app.conditions.subjects);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }), async (batches) => {
        run++;
        const conditions: string[] = [];
        const commitments: string[] = [];
        const owner = (
          await t.db.query<{ id: string }>(
            'insert into stakeholders (name, name_ar, kind, owner_org_id) values ($1, $1, $2, $3) returning id',
            [`S${run}`, 'government', orgA],
          )
        ).rows[0].id;
        const at = <T>(list: T[], i: number) => list[i % list.length];
        const expression = (ids: string[], or: boolean): Expression => (ids.length === 1 ? ids[0] : { op: or ? 'or' : 'and', args: ids });
        for (const batch of batches) {
          // Each batch is one transaction of several writes, as one request makes them.
          await t.db.transaction(async (tx) => {
            for (const o of batch) {
              switch (o.kind) {
                case 'condition': {
                  // Requirements name earlier conditions only, so there is never a cycle.
                  const requires = conditions.length ? [...new Set(o.requires.map((i) => at(conditions, i)))] : [];
                  const row = await tx.query<{ id: string }>(
                    `insert into conditions (code, title_en, title_ar, status, target_date, requires, owner_org_id, classification)
                     values ($1, $1, $1, $2, $3, $4, $5, $6) returning id`,
                    [
                      `c-${run}-${conditions.length}`,
                      STATUSES[o.status],
                      o.date ? `2027-0${1 + (conditions.length % 9)}-01` : null,
                      requires.length ? JSON.stringify(expression(requires, o.or)) : null,
                      orgA,
                      CLASSIFICATIONS[o.classification],
                    ],
                  );
                  conditions.push(row.rows[0].id);
                  await tx.query('insert into condition_stakeholders (condition_id, stakeholder_id) values ($1, $2)', [
                    row.rows[0].id,
                    owner,
                  ]);
                  break;
                }
                case 'status':
                  if (conditions.length)
                    await tx.query('update conditions set status = $2 where id = $1', [at(conditions, o.condition), STATUSES[o.status]]);
                  break;
                case 'classify':
                  if (conditions.length)
                    await tx.query('update conditions set classification = $2, shared_with = $3 where id = $1', [
                      at(conditions, o.condition),
                      CLASSIFICATIONS[o.classification],
                      o.shared ? [orgB] : [],
                    ]);
                  break;
                case 'stakeholder': {
                  if (!conditions.length) break;
                  const s = await tx.query<{ id: string }>(
                    'insert into stakeholders (name, name_ar, kind, owner_org_id, classification) values ($1, $1, $2, $3, $4) returning id',
                    [`S${run}-${o.condition}-${Math.random()}`, 'party', orgA, CLASSIFICATIONS[o.classification]],
                  );
                  await tx.query(
                    'insert into condition_stakeholders (condition_id, stakeholder_id) values ($1, $2) on conflict do nothing',
                    [at(conditions, o.condition), s.rows[0].id],
                  );
                  break;
                }
                case 'commitment': {
                  if (!conditions.length) break;
                  const row = await tx.query<{ id: string }>(
                    `insert into commitments (stakeholder_id, title_en, title_ar, money_usd, owner_org_id, classification)
                     values ($1, $2, $2, $3, $4, $5) returning id`,
                    [owner, `m-${run}-${commitments.length}`, o.money / 100, orgA, CLASSIFICATIONS[o.classification]],
                  );
                  commitments.push(row.rows[0].id);
                  const gate = [...new Set(o.gate.map((i) => at(conditions, i)))];
                  await tx.query(`insert into gates (subject_type, subject_id, expression) values ('commitment', $1, $2)`, [
                    row.rows[0].id,
                    JSON.stringify(expression(gate, o.or)),
                  ]);
                  break;
                }
                case 'value':
                  if (commitments.length)
                    await tx.query('update commitments set money_usd = $2 where id = $1', [at(commitments, o.commitment), o.money / 100]);
                  break;
                case 'ungate':
                  if (commitments.length) await tx.query('delete from gates where subject_id = $1', [at(commitments, o.commitment)]);
                  break;
                case 'delete':
                  if (commitments.length)
                    await tx.query('delete from commitments where id = $1', [commitments.splice(o.commitment % commitments.length, 1)[0]]);
                  break;
              }
            }
          });
          for (const actor of actors) {
            const fresh = await new ModelCache(t.db, t.app.conditions.subjects).model(actor);
            expect(view(await kept.model(actor))).toEqual(view(fresh));
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('lets writers to the tables it reads commit side by side, without waiting on one another', async () => {
    const stakeholder = (
      await t.db.query<{ id: string }>(
        `insert into stakeholders (name, name_ar, kind, owner_org_id) values ('W', 'W', 'party', $1) returning id`,
        [orgA],
      )
    ).rows[0].id;
    const made = await t.db.query<{ id: string }>(
      `insert into commitments (stakeholder_id, title_en, title_ar, owner_org_id) select $1, 'w', 'w', $2 from generate_series(1, 2) returning id`,
      [stakeholder, orgA],
    );
    // Two transactions each change a commitment and add a condition, and stay open: neither
    // waits for the other (under a single counter row, the second would wait for the first).
    const release: (() => void)[] = [];
    const held = made.rows.map(({ id }, i) =>
      t.db.transaction(async (tx) => {
        await tx.query('set local lock_timeout = 5000');
        await tx.query('update commitments set personnel = $2 where id = $1', [id, i + 1]);
        await tx.query(`insert into conditions (code, title_en, title_ar, owner_org_id) values ($1, 'w', 'w', $2)`, [
          `w-${i}-${Date.now()}`,
          orgA,
        ]);
        await new Promise<void>((resolve) => release.push(resolve));
      }),
    );
    const until = Date.now() + 4000;
    while (release.length < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(release.length).toBe(2);
    for (const done of release) done();
    await Promise.all(held);
  });
});
