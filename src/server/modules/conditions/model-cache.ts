/**
 * The analysis model each kind of caller sees, kept between requests and brought up to date
 * by reading again only what changed.
 *
 * Building a model reads every condition, stakeholder and gated subject the caller may see:
 * seconds at tens of thousands of gates. So a model is kept per visibility key (callers with
 * the same key see the same records, so they share it; no one gets a model built for what
 * someone else may see), together with the database snapshot its data was read under. Every
 * write to a table the model reads appends a row to `analysis_changes` naming what it changed
 * (migration 0006); the rows committed since a model's snapshot are those not visible in
 * it. On each request one query asks whether there are any: if not, the model stands; if
 * so, those conditions, stakeholders and gates are read again under a new snapshot, in one
 * read-only transaction, and the model is rebuilt in memory from the patched data. No writer
 * waits on another, and a write from any process or tool (the CLI, another server, plain SQL)
 * is seen by the next request.
 *
 * Conditions the caller may not see stand in as anonymous conditions ("hidden:1", ...) with
 * the real status, target date and requirements (expressed in the same way), so that what
 * is open and what would open is the same for every caller; nothing of a hidden condition
 * but its status and date reaches the caller, and the presentation leaves stand-ins out.
 */
import sql from 'sql-template-tag';
import type { Db, Queryable } from '../../db/db.ts';
import { type Actor, visibilityKey } from '../../http/actor.ts';
import * as repo from './conditions.repo.ts';
import {
  type AnalysisModel,
  buildModel,
  type ConditionInput,
  type ConditionStatus,
  type Expression,
  withGateValues,
} from './expressions.ts';
import { type GatedSubjects, gatesOf, type VisibleGate, visibleGates, withSubjects } from './gates.ts';

const STAND_IN = 'hidden:';

/** Whether an id in a model is the stand-in for a condition the caller may not see. */
export const isStandIn = (id: string): boolean => id.startsWith(STAND_IN);

export interface VisibleModel {
  model: AnalysisModel;
  /** The conditions the caller may see. */
  conditions: Map<string, repo.Condition>;
  /** The gates whose subjects the caller may see, by gate id, with their expressions as stored. */
  gates: Map<string, VisibleGate>;
  stakeholders: Map<string, repo.Stakeholder>;
  /** A condition's id in the model: its own when the caller may see it, else its stand-in's. */
  idInModel(conditionId: string): string;
}

/** What a model is built from: the rows as read, patched as they change. */
interface ModelData {
  conditions: Map<string, repo.Condition>;
  /** Every condition, whoever may see it: statuses, dates and requirements for the stand-ins. */
  all: Map<string, repo.ConditionTruth>;
  gates: Map<string, VisibleGate>;
  stakeholders: Map<string, repo.Stakeholder>;
}

/** How many models one server keeps (one per visibility key in use, mostly). */
export const MODEL_CACHE_SIZE = 6;
/**
 * A model not refreshed for this long is built again rather than patched: change rows older
 * than twice this are pruned (pruneAnalysisChanges), so a model this old may have missed some.
 */
const MAX_IDLE_MS = 30 * 60_000;
export const CHANGE_RETENTION = '1 hour';

interface Entry {
  key: string;
  actor: Actor | null;
  snapshot: string;
  refreshedAt: number;
  data: ModelData;
  visible: VisibleModel;
  /** Requests that asked for this entry, and how many of them the last finished refresh covered. */
  asked: number;
  covered: number;
  refreshing?: Promise<void>;
}

interface Change {
  source: 'conditions' | 'stakeholders' | 'evidence' | 'gates' | 'subject' | 'all';
  subjectType: string | null;
  ids: string[];
}

/** Builds the model a caller's data describes: stand-ins for hidden conditions, then the indexes. */
function modelOf(data: ModelData): VisibleModel {
  const standIns = new Map<string, string>();
  const pending: string[] = [];
  const idInModel = (id: string): string => {
    if (data.conditions.has(id)) return id;
    let standIn = standIns.get(id);
    if (!standIn) {
      standIn = `${STAND_IN}${standIns.size + 1}`;
      standIns.set(id, standIn);
      pending.push(id);
    }
    return standIn;
  };
  const hide = (expression: Expression): Expression =>
    typeof expression === 'string' ? idInModel(expression) : { op: expression.op, args: expression.args.map(hide) };

  const inputs: ConditionInput[] = [...data.conditions.values()].map((c) => ({
    id: c.id,
    status: c.status,
    requires: c.requires ? hide(c.requires) : null,
    targetDate: c.targetDate,
    stakeholderIds: c.stakeholderIds,
  }));
  const gates = [...data.gates.values()].map((g) => ({ ...g, expression: hide(g.expression) }));
  // Stand-ins, and the stand-ins their requirements name in turn. A condition deleted since
  // an expression named it stands in as unmet.
  while (pending.length) {
    const id = pending.shift()!;
    const truth = data.all.get(id);
    inputs.push({
      id: standIns.get(id)!,
      status: truth?.status ?? ('unmet' satisfies ConditionStatus),
      requires: truth?.requires ? hide(truth.requires) : null,
      targetDate: truth?.targetDate ?? null,
    });
  }
  return {
    model: buildModel({ conditions: inputs, gates }),
    conditions: data.conditions,
    gates: data.gates,
    stakeholders: data.stakeholders,
    idInModel: (id) => (data.conditions.has(id) ? id : (standIns.get(id) ?? `${STAND_IN}0`)),
  };
}

/**
 * When the gates are the same, with the same expressions, and only some gates' values moved:
 * those values, by gate id. Null when anything else changed.
 */
function changedValues(before: ModelData, after: ModelData): Map<string, VisibleGate['values']> | null {
  if (before.gates.size !== after.gates.size) return null;
  const values = new Map<string, VisibleGate['values']>();
  for (const [id, gate] of after.gates) {
    const old = before.gates.get(id);
    if (!old) return null;
    if (old === gate) continue;
    if (JSON.stringify(old.expression) !== JSON.stringify(gate.expression)) return null;
    values.set(id, gate.values);
  }
  return values;
}

/** The model of `data` from the one before it, when only gates' values changed. */
function withValues(previous: VisibleModel, data: ModelData, values: Map<string, VisibleGate['values']>): VisibleModel {
  return {
    ...previous,
    model: withGateValues(previous.model, values),
    conditions: data.conditions,
    gates: data.gates,
    stakeholders: data.stakeholders,
  };
}

const byId = <T extends { id: string }>(rows: readonly T[]) => new Map(rows.map((row) => [row.id, row]));

/** Everything, read for one caller. */
async function readAll(tx: Queryable, actor: Actor | null, subjects: GatedSubjects): Promise<ModelData> {
  const [{ items: conditions }, all, gates, { items: stakeholders }] = await Promise.all([
    repo.listConditions(tx, actor, {}),
    repo.conditionTruths(tx),
    visibleGates(tx, actor, subjects),
    repo.listStakeholders(tx, actor, {}),
  ]);
  return { conditions: byId(conditions), all: byId(all), gates: byId(gates), stakeholders: byId(stakeholders) };
}

/** Reads again what `changes` name, into `data`. */
async function applyChanges(tx: Queryable, actor: Actor | null, subjects: GatedSubjects, data: ModelData, changes: Change[]) {
  const conditionIds = new Set<string>();
  const stakeholderIds = new Set<string>();
  const subjectIds = new Map<string, Set<string>>();
  for (const change of changes) {
    if (change.source === 'conditions') for (const id of change.ids) conditionIds.add(id);
    else if (change.source === 'stakeholders') for (const id of change.ids) stakeholderIds.add(id);
    else if (change.source === 'gates' || change.source === 'subject') {
      const type = change.subjectType!;
      const set = subjectIds.get(type) ?? new Set<string>();
      for (const id of change.ids) set.add(id);
      subjectIds.set(type, set);
    }
    // 'evidence' changes only dates' statuses, which are read when asked for (statusesOn).
  }
  if (stakeholderIds.size) {
    const ids = [...stakeholderIds];
    const { items } = await repo.listStakeholders(tx, actor, { ids });
    for (const id of ids) data.stakeholders.delete(id);
    for (const row of items) data.stakeholders.set(row.id, row);
    // Which stakeholders a condition names depends on whether the caller may see them.
    for (const id of await repo.conditionsOfStakeholders(tx, ids)) conditionIds.add(id);
  }
  if (conditionIds.size) {
    const ids = [...conditionIds];
    const [{ items }, truths] = await Promise.all([repo.listConditions(tx, actor, { ids }), repo.conditionTruths(tx, ids)]);
    for (const id of ids) {
      data.conditions.delete(id);
      data.all.delete(id);
    }
    for (const row of items) data.conditions.set(row.id, row);
    for (const row of truths) data.all.set(row.id, row);
  }
  for (const [type, set] of subjectIds) {
    const ids = [...set];
    for (const [id, gate] of data.gates) if (gate.subject.type === type && set.has(gate.subject.id)) data.gates.delete(id);
    for (const gate of await withSubjects(tx, actor, subjects, await gatesOf(tx, type, ids))) data.gates.set(gate.id, gate);
  }
}

/**
 * The models of one database, kept per visibility key, least recently used out first.
 * A failed build or refresh is not kept: the next request tries again.
 */
export class ModelCache {
  readonly #entries = new Map<string, Entry>();
  readonly #building = new Map<string, Promise<Entry>>();

  constructor(
    private readonly db: Db,
    private readonly subjects: GatedSubjects,
  ) {}

  /** The model of what `actor` may see, as of now. Shared between requests: callers must not change it. */
  async model(actor: Actor | null): Promise<VisibleModel> {
    const key = visibilityKey(actor);
    let entry = this.#entries.get(key);
    if (entry && Date.now() - entry.refreshedAt > MAX_IDLE_MS) {
      this.#entries.delete(key);
      entry = undefined;
    }
    if (!entry) entry = await this.#build(key, actor);
    else await this.#refresh(entry);
    // Most recently used last.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > MODEL_CACHE_SIZE) this.#entries.delete(this.#entries.keys().next().value!);
    return entry.visible;
  }

  #build(key: string, actor: Actor | null): Promise<Entry> {
    let building = this.#building.get(key);
    if (!building) {
      building = this.db
        .transaction(
          async (tx) => {
            const snapshot = await currentSnapshot(tx);
            const data = await readAll(tx, actor, this.subjects);
            return { snapshot, data };
          },
          { snapshot: true },
        )
        .then(({ snapshot, data }): Entry => {
          const entry: Entry = { key, actor, snapshot, refreshedAt: Date.now(), data, visible: modelOf(data), asked: 0, covered: 0 };
          this.#entries.set(key, entry);
          return entry;
        })
        .finally(() => this.#building.delete(key));
      this.#building.set(key, building);
    }
    return building;
  }

  /**
   * Brings the entry up to date. A refresh that began before this request may miss a write
   * the caller has just made, so the request waits for one that began after it arrived.
   */
  async #refresh(entry: Entry): Promise<void> {
    const ticket = ++entry.asked;
    while (entry.covered < ticket) {
      if (!entry.refreshing) {
        const covers = entry.asked;
        entry.refreshing = this.#catchUp(entry)
          .then(
            () => {
              entry.covered = Math.max(entry.covered, covers);
            },
            (error) => {
              if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
              throw error;
            },
          )
          .finally(() => {
            entry.refreshing = undefined;
          });
      }
      await entry.refreshing;
    }
  }

  async #catchUp(entry: Entry): Promise<void> {
    const quick = await this.db.query<{ snapshot: string; changed: boolean }>(sql`
      select pg_current_snapshot()::text as snapshot, exists (${changesSince(entry.snapshot)}) as changed`);
    const { snapshot, changed } = quick.rows[0];
    if (!changed) {
      entry.snapshot = snapshot;
      entry.refreshedAt = Date.now();
      return;
    }
    const patched = await this.db.transaction(
      async (tx) => {
        const now = await currentSnapshot(tx);
        const changes = (
          await tx.query<Change>(sql`
            select source, subject_type as "subjectType", ids::text[] as ids from (${changesSince(entry.snapshot)}) c order by id`)
        ).rows;
        if (changes.some((c) => c.source === 'all'))
          return { snapshot: now, data: await readAll(tx, entry.actor, this.subjects), structural: true };
        const data: ModelData = {
          conditions: new Map(entry.data.conditions),
          all: new Map(entry.data.all),
          gates: new Map(entry.data.gates),
          stakeholders: new Map(entry.data.stakeholders),
        };
        await applyChanges(tx, entry.actor, this.subjects, data, changes);
        const structural = changes.some((c) => c.source === 'conditions' || c.source === 'stakeholders');
        return { snapshot: now, data, structural };
      },
      { snapshot: true },
    );
    entry.snapshot = patched.snapshot;
    const values = patched.structural ? null : changedValues(entry.data, patched.data);
    entry.data = patched.data;
    entry.visible = values ? withValues(entry.visible, patched.data, values) : modelOf(patched.data);
    entry.refreshedAt = Date.now();
  }
}

async function currentSnapshot(tx: Queryable): Promise<string> {
  return (await tx.query<{ snapshot: string }>(sql`select pg_current_snapshot()::text as snapshot`)).rows[0].snapshot;
}

/** The change rows committed since `snapshot` was taken, as a subquery. */
const changesSince = (snapshot: string) => sql`
  select id, source, subject_type, ids from analysis_changes
  where xid >= pg_snapshot_xmin(${snapshot}::pg_snapshot) and not pg_visible_in_snapshot(xid, ${snapshot}::pg_snapshot)`;

/** Housekeeping: change rows no kept model can still need (see MAX_IDLE_MS). */
export async function pruneAnalysisChanges(db: Queryable): Promise<void> {
  await db.query(sql`delete from analysis_changes where at < now() - ${CHANGE_RETENTION}::interval`);
}
