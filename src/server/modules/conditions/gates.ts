/**
 * Gates: any capability's object can wait on an AND/OR expression over conditions. A
 * capability describes its gated subject type (GatedSubjectType): a function that reads the
 * value each of its subjects carries per dimension, for the subjects the caller may see (its
 * SQL uses visibleTo), and one for their labels. The types are listed once, where the app is
 * composed (app.ts), and handed to the conditions service; nothing registers itself on import.
 *
 * In the database, `gated_subject_types` names each type's table: a gate must name a subject
 * that exists, and deleting a subject deletes its gate (migration 0006). A capability's
 * migration adds its row there, and attaches record_analysis_change() to the tables its
 * values and labels come from, so the kept analysis model learns what changed
 * (docs/database.md).
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

/** The gated subject types of the running app, by type. */
export class GatedSubjects {
  readonly #byType = new Map<string, GatedSubjectType>();

  constructor(types: readonly GatedSubjectType[]) {
    for (const subject of types) {
      if (this.#byType.has(subject.type)) throw new Error(`Gated subject type "${subject.type}" is listed twice.`);
      this.#byType.set(subject.type, subject);
    }
  }

  get(type: string): GatedSubjectType | undefined {
    return this.#byType.get(type);
  }

  types(): string[] {
    return [...this.#byType.keys()];
  }

  /**
   * Refuses to start when the database holds gates, or declares subject types, that no
   * listed type reads: their subjects would silently drop out of every analysis.
   */
  async check(db: Queryable): Promise<void> {
    const found = await db.query<{ type: string; gates: number }>(sql`
      select type, (select count(*)::int from gates g where g.subject_type = t.type) as gates
      from (select subject_type as type from gates union select type from gated_subject_types) t order by type`);
    const unknown = found.rows.filter((row) => !this.#byType.has(row.type));
    if (unknown.length) {
      const listed = unknown.map((row) => `"${row.type}" (${row.gates} gate${row.gates === 1 ? '' : 's'})`).join(', ');
      throw new Error(
        `The database has gated subject types that the app does not list: ${listed}. Add each to the gated subject types in src/server/app.ts.`,
      );
    }
  }
}

export interface Gate {
  id: string;
  subjectType: string;
  subjectId: string;
  expression: Expression;
}

const gateColumns = sql`id, subject_type as "subjectType", subject_id as "subjectId", expression`;

export async function getGate(db: Queryable, subjectType: string, subjectId: string): Promise<Gate | undefined> {
  return (
    await db.query<Gate>(sql`select ${gateColumns} from gates where subject_type = ${subjectType} and subject_id = ${subjectId}::uuid`)
  ).rows[0];
}

/** The gates of these subjects (of one type). */
export async function gatesOf(db: Queryable, subjectType: string, subjectIds: readonly string[]): Promise<Gate[]> {
  if (!subjectIds.length) return [];
  return (
    await db.query<Gate>(
      sql`select ${gateColumns} from gates where subject_type = ${subjectType} and subject_id = any(${subjectIds}::uuid[]) order by id`,
    )
  ).rows;
}

/** Sets or removes (null) a subject's gate. The database refuses a subject that does not exist. */
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

/** These gates, those whose subject the caller may see, with their values from the subject's capability. */
export async function withSubjects(
  db: Queryable,
  actor: Actor | null,
  subjects: GatedSubjects,
  rows: readonly Gate[],
): Promise<VisibleGate[]> {
  const byType = new Map<string, Gate[]>();
  for (const row of rows) {
    const list = byType.get(row.subjectType);
    if (list) list.push(row);
    else byType.set(row.subjectType, [row]);
  }
  const gates: VisibleGate[] = [];
  for (const [type, list] of byType) {
    const subject = subjects.get(type);
    // The server does not start with an unlisted type in the database (GatedSubjects.check);
    // one added since by plain SQL is an error, not a gate to leave out in silence.
    if (!subject) throw new Error(`Gates name the gated subject type "${type}", which the app does not list.`);
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

/** Every gate whose subject the caller may see. */
export async function visibleGates(db: Queryable, actor: Actor | null, subjects: GatedSubjects): Promise<VisibleGate[]> {
  const rows = (await db.query<Gate>(sql`select ${gateColumns} from gates order by id`)).rows;
  return withSubjects(db, actor, subjects, rows);
}
