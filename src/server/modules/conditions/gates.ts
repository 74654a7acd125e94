/**
 * Gates: any capability's object can wait on an AND/OR expression over conditions. A
 * capability registers its gated subject type with a function that reads the value each
 * of its subjects carries per dimension, for the subjects the caller may see (its SQL uses
 * visibleTo). A gate whose subject the caller cannot see is left out of their analysis,
 * so a restricted object never counts in another organisation's totals.
 *
 * The analysis keeps the model it builds between requests and rebuilds it when the
 * counter in `analysis_generation` moves (conditions.service.ts). Every table a
 * capability's valuesFor or labelsFor reads must bump that counter on each write, so a
 * capability attaches the trigger function in its own migration, one trigger per table:
 *   create trigger funding_tranches_touch_analysis
 *     after insert or update or delete or truncate on funding_tranches
 *     for each statement execute function touch_analysis_generation();
 * A table without it leaves analyses stale after writes to it (docs/database.md).
 */
import sql from 'sql-template-tag';
import type { Queryable } from '../../db/db.ts';
import type { Actor } from '../../http/actor.ts';
import type { DimensionValues, Expression, GateInput } from './expressions.ts';

export interface GatedSubjectType {
  /** Stored in gates.subject_type, e.g. 'commitment', 'funding_tranche'. */
  type: string;
  /** The values of the subjects among `ids` that `actor` may see; invisible ones are absent. */
  valuesFor(db: Queryable, actor: Actor | null, ids: string[]): Promise<Map<string, Partial<DimensionValues>>>;
  /**
   * A label per visible subject, for the analysis responses: English, or English and
   * Arabic (the web app shows the one of the interface language, English when Arabic is empty).
   */
  labelsFor?(db: Queryable, actor: Actor | null, ids: string[]): Promise<Map<string, string | GateLabel>>;
}

export interface GateLabel {
  en: string;
  ar: string;
}

const registry = new Map<string, GatedSubjectType>();

export function registerGatedSubject(subject: GatedSubjectType): void {
  if (registry.has(subject.type)) throw new Error(`Gated subject type "${subject.type}" is registered twice.`);
  registry.set(subject.type, subject);
}

export function gatedSubjectTypes(): string[] {
  return [...registry.keys()];
}

export interface Gate {
  id: string;
  subjectType: string;
  subjectId: string;
  expression: Expression;
}

export async function getGate(db: Queryable, subjectType: string, subjectId: string): Promise<Gate | undefined> {
  return (
    await db.query<Gate>(sql`select id, subject_type as "subjectType", subject_id as "subjectId", expression
      from gates where subject_type = ${subjectType} and subject_id = ${subjectId}::uuid`)
  ).rows[0];
}

/** Sets or removes (null) a subject's gate. */
export async function setGate(db: Queryable, subjectType: string, subjectId: string, expression: Expression | null): Promise<void> {
  if (expression === null) {
    await db.query(sql`delete from gates where subject_type = ${subjectType} and subject_id = ${subjectId}::uuid`);
    return;
  }
  await db.query(sql`
    insert into gates (subject_type, subject_id, expression) values (${subjectType}, ${subjectId}::uuid, ${JSON.stringify(expression)}::jsonb)
    on conflict (subject_type, subject_id) do update set expression = excluded.expression, updated_at = now()`);
}

export interface VisibleGate extends GateInput {
  /** English label. */
  label?: string;
  /** Arabic label, when the subject has one. */
  labelAr?: string;
}

/** Every gate whose subject the caller may see, with its values from the subject's capability. */
export async function visibleGates(db: Queryable, actor: Actor | null): Promise<VisibleGate[]> {
  const rows = (
    await db.query<Gate>(sql`select id, subject_type as "subjectType", subject_id as "subjectId", expression from gates order by id`)
  ).rows;
  const byType = new Map<string, Gate[]>();
  for (const row of rows) {
    const list = byType.get(row.subjectType);
    if (list) list.push(row);
    else byType.set(row.subjectType, [row]);
  }
  const gates: VisibleGate[] = [];
  for (const [type, list] of byType) {
    const subject = registry.get(type);
    if (!subject) continue;
    const ids = list.map((g) => g.subjectId);
    const [values, labels = new Map<string, string | GateLabel>()] = await Promise.all([
      subject.valuesFor(db, actor, ids),
      subject.labelsFor?.(db, actor, ids),
    ]);
    for (const gate of list) {
      const value = values.get(gate.subjectId);
      if (!value) continue;
      const label = labels.get(gate.subjectId);
      gates.push({
        id: gate.id,
        subject: { type, id: gate.subjectId },
        expression: gate.expression,
        values: value,
        label: typeof label === 'string' ? label : label?.en,
        labelAr: typeof label === 'string' ? undefined : label?.ar || undefined,
      });
    }
  }
  return gates;
}
