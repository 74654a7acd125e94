/**
 * The Gaza scenario's conditions: stakeholders, conditions with their requirements and
 * dated evidence, stakeholders' positions, and commitments gated on conditions, from
 * `modules/conditions/data/scenario.json` (sources in its SOURCES.md). Loaded once under
 * its own marker in `seeds`, so a database that already holds the first part of the
 * scenario gets it on its next start, and a second load changes nothing.
 *
 * The file names conditions by code; stored expressions name them by id, so requirements
 * and gates are translated once the conditions exist. Everything comes from public
 * reporting and is classified public. Items the file marks illustrative keep the mark:
 * commitments in their `illustrative` column, conditions (which have none) in the note of
 * each of their evidence entries.
 */
import { readFile } from 'node:fs/promises';
import sql from 'sql-template-tag';
import type { Db, Queryable } from '../db/db.ts';
import { systemActor } from '../http/authenticate.ts';
import { insertAudit } from '../modules/audit/audit.repo.ts';
import { COMMITMENT_SUBJECT, insertCommitment } from '../modules/conditions/commitments.repo.ts';
import {
  insertCondition,
  insertEvidence,
  insertPosition,
  insertStakeholder,
  type StakeholderKind,
  type Stance,
  updateCondition,
} from '../modules/conditions/conditions.repo.ts';
import { type ConditionStatus, type Expression, expressionConditions, findRequirementCycle } from '../modules/conditions/expressions.ts';
import { setGate } from '../modules/conditions/gates.ts';

const MARKER = 'gaza-conditions';
const BOARD_OF_PEACE = 'Board of Peace';
export const ILLUSTRATIVE_NOTE = '(illustrative)';

export interface ScenarioStakeholder {
  code: string;
  nameEn: string;
  nameAr: string;
  kind: StakeholderKind;
  /** The name of the scenario organisation that speaks for this stakeholder. */
  organisation?: string;
}

export interface ScenarioEvidence {
  date: string;
  status: ConditionStatus;
  source: string;
  url?: string;
  note?: string;
}

export interface ScenarioCondition {
  code: string;
  titleEn: string;
  titleAr: string;
  descriptionEn?: string;
  descriptionAr?: string;
  /** The status the evidence must leave the condition in. */
  status: ConditionStatus;
  targetDate?: string;
  /** Over condition codes. */
  requires?: Expression;
  stakeholders: string[];
  illustrative?: boolean;
  evidence: ScenarioEvidence[];
}

export interface ScenarioPosition {
  stakeholder: string;
  condition?: string;
  topic?: string;
  stance: Stance;
  statedOn: string;
  source: string;
  url?: string;
  note?: string;
}

export interface ScenarioCommitment {
  code: string;
  stakeholder: string;
  titleEn: string;
  titleAr: string;
  description?: string;
  moneyUsd?: string;
  personnel?: number;
  aidTrucksPerDay?: number;
  projects?: number;
  /** Over condition codes. */
  gate?: Expression;
  source: string;
  url?: string;
  illustrative?: boolean;
}

export interface ConditionsScenario {
  stakeholders: ScenarioStakeholder[];
  conditions: ScenarioCondition[];
  positions: ScenarioPosition[];
  commitments: ScenarioCommitment[];
}

export async function readConditionsScenario(): Promise<ConditionsScenario> {
  return JSON.parse(await readFile(new URL('../modules/conditions/data/scenario.json', import.meta.url), 'utf8'));
}

/** Refuses a file whose codes do not resolve or whose requirements form a cycle, before anything is written. */
function check(data: ConditionsScenario): void {
  const problems: string[] = [];
  const stakeholders = new Set(data.stakeholders.map((s) => s.code));
  const conditions = new Set(data.conditions.map((c) => c.code));
  if (stakeholders.size !== data.stakeholders.length) problems.push('a stakeholder code is listed twice');
  if (conditions.size !== data.conditions.length) problems.push('a condition code is listed twice');
  const needStakeholder = (code: string, where: string) => stakeholders.has(code) || problems.push(`${where}: no stakeholder "${code}"`);
  const needConditions = (expression: Expression, where: string) => {
    for (const code of expressionConditions(expression)) if (!conditions.has(code)) problems.push(`${where}: no condition "${code}"`);
  };
  for (const c of data.conditions) {
    for (const s of c.stakeholders) needStakeholder(s, `condition ${c.code}`);
    if (c.requires) needConditions(c.requires, `condition ${c.code}`);
    if (!c.evidence.length) problems.push(`condition ${c.code}: no evidence`);
  }
  for (const [i, p] of data.positions.entries()) {
    needStakeholder(p.stakeholder, `position ${i}`);
    if (p.condition) needConditions(p.condition, `position ${i}`);
    if (!p.condition === !p.topic) problems.push(`position ${i}: needs a condition or a topic, not both`);
  }
  for (const m of data.commitments) {
    needStakeholder(m.stakeholder, `commitment ${m.code}`);
    if (m.gate) needConditions(m.gate, `commitment ${m.code}`);
  }
  const cycle = findRequirementCycle(data.conditions.map((c) => ({ id: c.code, requires: c.requires ?? null })));
  if (cycle) problems.push(`requirements form a cycle: ${cycle.join(' → ')}`);
  if (problems.length) throw new Error(`The Gaza conditions scenario does not hold together: ${problems.join('; ')}.`);
}

function translate(expression: Expression, ids: ReadonlyMap<string, string>): Expression {
  if (typeof expression === 'string') return ids.get(expression)!;
  return { op: expression.op, args: expression.args.map((arg) => translate(arg, ids)) };
}

async function organisationIds(db: Queryable, names: string[]): Promise<Map<string, string>> {
  const rows = await db.query<{ id: string; name: string }>(
    sql`select id, name from organisations where lower(name) = any(${names.map((n) => n.toLowerCase())}::text[])`,
  );
  return new Map(rows.rows.map((r) => [r.name.toLowerCase(), r.id]));
}

/** Loads the conditions part of the scenario unless it is already there. Returns whether it loaded anything. */
export async function seedGazaConditions(db: Db): Promise<boolean> {
  const data = await readConditionsScenario();
  check(data);
  const actor = systemActor('seed');

  return db.transaction(async (tx) => {
    const marker = await tx.query(sql`insert into seeds (name) values (${MARKER}) on conflict do nothing returning name`);
    if (!marker.rowCount) return false;

    const orgNames = [BOARD_OF_PEACE, ...data.stakeholders.flatMap((s) => (s.organisation ? [s.organisation] : []))];
    const orgs = await organisationIds(tx, orgNames);
    const board = orgs.get(BOARD_OF_PEACE.toLowerCase());
    if (!board) throw new Error(`The Gaza conditions scenario needs the organisation "${BOARD_OF_PEACE}", which is missing.`);

    const stakeholderIds = new Map<string, string>();
    const stakeholderOrgs = new Map<string, string>();
    for (const s of data.stakeholders) {
      const organisationId = s.organisation ? (orgs.get(s.organisation.toLowerCase()) ?? null) : null;
      const created = await insertStakeholder(tx, {
        name: s.nameEn,
        nameAr: s.nameAr,
        kind: s.kind,
        organisationId,
        ownerOrgId: board,
        classification: 'public',
      });
      stakeholderIds.set(s.code, created.id);
      if (organisationId) stakeholderOrgs.set(s.code, organisationId);
    }

    // Conditions first, then their requirements, which may name conditions listed later.
    const conditionIds = new Map<string, string>();
    for (const c of data.conditions) {
      const id = await insertCondition(tx, {
        code: c.code,
        titleEn: c.titleEn,
        titleAr: c.titleAr,
        descriptionEn: c.descriptionEn ?? '',
        descriptionAr: c.descriptionAr ?? '',
        targetDate: c.targetDate ?? null,
        stakeholderIds: c.stakeholders.map((code) => stakeholderIds.get(code)!),
        ownerOrgId: board,
        classification: 'public',
      });
      conditionIds.set(c.code, id);
    }
    let evidence = 0;
    for (const c of data.conditions) {
      const id = conditionIds.get(c.code)!;
      if (c.requires) await updateCondition(tx, id, { requires: translate(c.requires, conditionIds) });
      // In file order: entries of the same date take effect in the order they are listed.
      for (const e of c.evidence) {
        const note = c.illustrative ? [e.note, ILLUSTRATIVE_NOTE].filter(Boolean).join(' ') : (e.note ?? '');
        await insertEvidence(tx, id, { datedOn: e.date, status: e.status, source: e.source, sourceUrl: e.url ?? null, note }, 'seed');
        evidence++;
      }
    }
    const statuses = await tx.query<{ code: string; status: ConditionStatus }>(
      sql`select code, status from conditions where id = any(${[...conditionIds.values()]}::uuid[])`,
    );
    const wrong = statuses.rows.filter((row) => data.conditions.find((c) => c.code === row.code)!.status !== row.status);
    if (wrong.length) {
      throw new Error(`The evidence leaves conditions in other statuses than the scenario says: ${wrong.map((w) => w.code).join(', ')}.`);
    }

    for (const p of data.positions) {
      await insertPosition(tx, stakeholderIds.get(p.stakeholder)!, {
        conditionId: p.condition ? conditionIds.get(p.condition)! : null,
        topic: p.topic ?? null,
        stance: p.stance,
        statedOn: p.statedOn,
        source: p.source,
        sourceUrl: p.url ?? null,
        note: p.note ?? '',
        ownerOrgId: board,
        classification: 'public',
      });
    }

    let gated = 0;
    for (const m of data.commitments) {
      const id = await insertCommitment(tx, {
        stakeholderId: stakeholderIds.get(m.stakeholder)!,
        titleEn: m.titleEn,
        titleAr: m.titleAr,
        description: m.description ?? '',
        moneyUsd: m.moneyUsd ?? '0',
        personnel: m.personnel ?? 0,
        aidTrucksPerDay: m.aidTrucksPerDay ?? 0,
        projects: m.projects ?? 0,
        // Commitments have no link column: the link follows the source.
        source: m.url ? `${m.source} ${m.url}` : m.source,
        illustrative: m.illustrative ?? false,
        ownerOrgId: stakeholderOrgs.get(m.stakeholder) ?? board,
        classification: 'public',
      });
      if (m.gate) {
        await setGate(tx, COMMITMENT_SUBJECT, id, translate(m.gate, conditionIds));
        gated++;
      }
    }

    await insertAudit(tx, actor, null, {
      action: 'scenario.gaza-conditions.load',
      entityType: 'scenario',
      entityId: MARKER,
      after: {
        stakeholders: data.stakeholders.length,
        conditions: data.conditions.length,
        evidence,
        positions: data.positions.length,
        commitments: data.commitments.length,
        gates: gated,
      },
    });
    return true;
  });
}
