/**
 * The Gaza scenario's funding: donors and their instruments, pledges split into tranches
 * gated on the scenario's conditions, agreements, budget lines for a force of the publicly
 * stated size, and months of receipts, allocations, disbursements and reported spending,
 * from `modules/funding/data/scenario.json` (sources in its SOURCES.md). Loaded once under
 * its own marker in `seeds`, after the conditions it gates on; every money movement goes
 * through the same ledger posting as the API, so the database checks it as it checks any.
 * A finance officer demo user is added here too.
 */
import { readFile } from 'node:fs/promises';
import sql from 'sql-template-tag';
import type { OrganisationType } from '../../shared/organisations.ts';
import type { Db, Queryable } from '../db/db.ts';
import { systemActor } from '../http/authenticate.ts';
import { insertOrganisation } from '../modules/access/organisations.repo.ts';
import { insertUser, setUserRoles } from '../modules/access/users.repo.ts';
import { insertAudit } from '../modules/audit/audit.repo.ts';
import type { Expression } from '../modules/conditions/expressions.ts';
import { setGate } from '../modules/conditions/gates.ts';
import * as funding from '../modules/funding/funding.repo.ts';
import type { BUDGET_CATEGORIES, INSTRUMENT_KINDS } from '../modules/funding/funding.schema.ts';
import { type PostingKind, post } from '../modules/funding/ledger.repo.ts';
import { toUsd } from '../modules/funding/rates.ts';

const MARKER = 'gaza-funding';
const SEED = 'seed';
export const FINANCE_USER = { email: 'finance@concord.example', name: 'Farah Finance', org: 'International Stabilization Force HQ' };

interface Scenario {
  organisations: { name: string; nameAr: string; type: OrganisationType }[];
  rates: { currency: string; rateDate: string; usdPerUnit: string; source: string }[];
  budgetLines: {
    code: string;
    nameEn: string;
    nameAr: string;
    category: (typeof BUDGET_CATEGORIES)[number];
    amountUsd: string;
    illustrative?: boolean;
    revision?: { amountUsd: string; reason: string };
  }[];
  instruments: {
    code: string;
    donor: string;
    name: string;
    nameAr: string;
    kind: (typeof INSTRUMENT_KINDS)[number];
    restrictions: string[];
    source: string;
    illustrative?: boolean;
  }[];
  pledges: {
    code: string;
    instrument: string;
    title: string;
    amount: string;
    pledgedOn: string;
    illustrative?: boolean;
    replacesCommitment?: string;
    tranches: { amount: string; gate?: Expression; expectedOn?: string; note?: string }[];
    source: string;
  }[];
  agreements: { instrument: string; pledge: string; reference: string; amount: string; signedOn: string; illustrative?: boolean }[];
  movements: {
    kind: PostingKind;
    instrument: string;
    tranche?: [string, number];
    line?: string;
    payee?: string;
    amount: string;
    currency?: string;
    months: string[];
    day: number;
    description?: string;
  }[];
}

export async function readFundingScenario(): Promise<Scenario> {
  return JSON.parse(await readFile(new URL('../modules/funding/data/scenario.json', import.meta.url), 'utf8'));
}

async function idsByName(db: Queryable, table: 'organisations' | 'conditions', column: 'name' | 'code') {
  const rows = await db.query<{ id: string; key: string }>(sql([`select id, ${column} as key from ${table}`]));
  return new Map(rows.rows.map((r) => [r.key.toLowerCase(), r.id]));
}

function need<T>(map: Map<string, T>, key: string, what: string): T {
  const value = map.get(key.toLowerCase());
  if (value === undefined) throw new Error(`The Gaza funding scenario names ${what} "${key}", which is missing.`);
  return value;
}

function translate(expression: Expression, conditions: Map<string, string>): Expression {
  if (typeof expression === 'string') return need(conditions, expression, 'the condition');
  return { op: expression.op, args: expression.args.map((arg) => translate(arg, conditions)) };
}

/** Loads the funding part of the scenario unless it is already there. Returns whether it loaded anything. */
/** `passwordHash` is the demo password's hash, for the finance officer demo user. */
export async function seedGazaFunding(db: Db, passwordHash: string): Promise<boolean> {
  const data = await readFundingScenario();
  const actor = systemActor(SEED);

  return db.transaction(async (tx) => {
    const marker = await tx.query(sql`insert into seeds (name) values (${MARKER}) on conflict do nothing returning name`);
    if (!marker.rowCount) return false;

    for (const org of data.organisations) {
      const exists = await tx.query(sql`select 1 from organisations where lower(name) = lower(${org.name})`);
      if (!exists.rowCount) await insertOrganisation(tx, org);
    }
    const orgs = await idsByName(tx, 'organisations', 'name');
    const conditions = await idsByName(tx, 'conditions', 'code');
    const board = need(orgs, 'Board of Peace', 'the organisation');

    const financeExists = await tx.query(sql`select 1 from users where email = ${FINANCE_USER.email}`);
    if (!financeExists.rowCount) {
      const id = await insertUser(tx, {
        email: FINANCE_USER.email,
        name: FINANCE_USER.name,
        organisationId: need(orgs, FINANCE_USER.org, 'the organisation'),
        locale: 'en',
        passwordHash,
      });
      await setUserRoles(tx, id, ['finance_officer']);
    }

    for (const rate of data.rates) await funding.insertRate(tx, rate);

    const lines = new Map<string, string>();
    for (const line of data.budgetLines) {
      const id = await funding.insertBudgetLine(tx, { ...line, periodStart: '2026-01-01', periodEnd: '2026-12-31' }, SEED);
      if (line.revision) await funding.reviseBudgetLine(tx, id, line.revision.amountUsd, line.revision.reason, SEED);
      lines.set(line.code.toLowerCase(), id);
    }

    const instruments = new Map<string, string>();
    for (const i of data.instruments) {
      const donorOrgId = need(orgs, i.donor, 'the donor');
      const id = await funding.insertInstrument(tx, {
        ...i,
        donorOrgId,
        ownerOrgId: i.donor === 'US Department of Defense' ? donorOrgId : board,
        classification: 'public',
      });
      instruments.set(i.code, id);
    }

    const tranches = new Map<string, string>();
    const pledges = new Map<string, string>();
    for (const p of data.pledges) {
      const { amountUsd } = await toUsd(tx, p.amount, 'USD', p.pledgedOn);
      const instrumentId = need(instruments, p.instrument, 'the instrument');
      const owner = (
        await tx.query<{ owner: string }>(sql`select owner_org_id as owner from funding_instruments where id = ${instrumentId}::uuid`)
      ).rows[0].owner;
      const id = await funding.insertPledge(tx, {
        instrumentId,
        title: p.title,
        amount: p.amount,
        currency: 'USD',
        amountUsd,
        pledgedOn: p.pledgedOn,
        earmarks: [],
        source: p.source,
        illustrative: p.illustrative ?? false,
        ownerOrgId: owner,
        classification: 'public',
        sharedWith: [],
      });
      pledges.set(p.code, id);
      for (const [i, t] of p.tranches.entries()) {
        const trancheId = await funding.insertTranche(tx, {
          pledgeId: id,
          seq: i + 1,
          amount: t.amount,
          amountUsd: t.amount,
          expectedOn: t.expectedOn ?? null,
          note: t.note ?? '',
        });
        if (t.gate) await setGate(tx, funding.TRANCHE_SUBJECT, trancheId, translate(t.gate, conditions));
        tranches.set(`${p.code}#${i + 1}`, trancheId);
      }
      // The conditions scenario's commitment for the same money keeps its text but no longer
      // counts it, so the long pole counts each dollar once.
      if (p.replacesCommitment) {
        await tx.query(sql`update commitments set money_usd = 0,
            description = description || ' The money is tracked as a funding pledge.', updated_at = now()
          where title_en = ${p.title} and money_usd > 0`);
      }
    }

    for (const a of data.agreements) {
      const instrumentId = need(instruments, a.instrument, 'the instrument');
      const owner = (
        await tx.query<{ owner: string }>(sql`select owner_org_id as owner from funding_instruments where id = ${instrumentId}::uuid`)
      ).rows[0].owner;
      await funding.insertAgreement(tx, {
        instrumentId,
        pledgeId: need(pledges, a.pledge, 'the pledge'),
        reference: a.reference,
        amount: a.amount,
        currency: 'USD',
        amountUsd: a.amount,
        signedOn: a.signedOn,
        source: '',
        illustrative: a.illustrative ?? false,
        ownerOrgId: owner,
        classification: 'public',
        sharedWith: [],
      });
    }

    // Every movement in date order, so each finds the money the earlier ones left.
    const order: PostingKind[] = ['receipt', 'allocation', 'disbursement', 'expenditure'];
    const postings = data.movements
      .flatMap((m) => m.months.map((month) => ({ ...m, valueDate: `${month}-${String(m.day).padStart(2, '0')}` })))
      .sort((a, b) => a.valueDate.localeCompare(b.valueDate) || order.indexOf(a.kind) - order.indexOf(b.kind));
    for (const m of postings) {
      const currency = m.currency ?? 'USD';
      const { usdPerUnit, amountUsd } = await toUsd(tx, m.amount, currency, m.valueDate);
      await post(tx, {
        kind: m.kind,
        instrumentId: need(instruments, m.instrument, 'the instrument'),
        budgetLineId: m.line ? need(lines, m.line, 'the budget line') : null,
        payeeOrgId: m.payee ? need(orgs, m.payee, 'the payee') : null,
        trancheId: m.tranche ? need(tranches, `${m.tranche[0]}#${m.tranche[1]}`, 'the tranche') : null,
        valueDate: m.valueDate,
        currency,
        amount: m.amount,
        usdPerUnit,
        amountUsd,
        description: m.description ?? '',
        origin: 'scenario',
        illustrative: true,
        postedBy: SEED,
      });
    }

    await insertAudit(tx, actor, null, {
      action: 'scenario.gaza-funding.load',
      entityType: 'scenario',
      entityId: MARKER,
      after: {
        instruments: data.instruments.length,
        budgetLines: data.budgetLines.length,
        pledges: data.pledges.length,
        agreements: data.agreements.length,
        transactions: postings.length,
      },
    });
    return true;
  });
}
