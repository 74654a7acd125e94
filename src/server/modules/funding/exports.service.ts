/**
 * Funding data out in the public standards: the mission's funding as IATI 2.03 activities
 * (one per instrument the caller may see) and as an HXL-tagged table (CSV or XLSX) of every
 * ledger movement, pledge and agreement the caller may see.
 */
import sql from 'sql-template-tag';
import type { Queryable } from '../../db/db.ts';
import { type Actor, visibleTo } from '../../http/actor.ts';
import type { FundingHxlRow } from './standards/hxl.ts';
import type { IatiActivity, IatiTransaction } from './standards/iati-model.ts';

/** Ledger kinds as IATI transaction types, from the instrument's (the activity's) point of view. */
const IATI_TYPE: Record<string, string> = { receipt: '1', disbursement: '3', expenditure: '4' };

/** The mission's funding, one IATI activity per instrument the caller may see. */
export async function* missionActivities(db: Queryable, actor: Actor | null, reportingOrg: { ref: string; name: string }) {
  const instruments = await db.query<{
    id: string;
    name: string;
    nameAr: string;
    donor: string;
    donorRef: string | null;
    restrictions: string[];
  }>(sql`
    select i.id, i.name, i.name_ar as "nameAr", o.name as donor, o.country_code as "donorRef", i.restrictions
    from funding_instruments i join organisations o on o.id = i.donor_org_id where ${visibleTo(actor, 'i')} order by o.name, i.name`);
  for (const instrument of instruments.rows) {
    const rows = await db.query<{
      kind: string;
      ref: string;
      date: string;
      amount: string;
      currency: string;
      payee: string | null;
      description: string;
    }>(sql`
      select coalesce(o.kind, t.kind) as kind, t.id::text as ref, t.value_date::text as date,
             (case when t.kind = 'reversal' then -t.amount else t.amount end)::text as amount, t.currency,
             p.name as payee, t.description
      from ledger_transactions t left join ledger_transactions o on o.id = t.reverses_id left join organisations p on p.id = t.payee_org_id
      where t.instrument_id = ${instrument.id}::uuid and coalesce(o.kind, t.kind) in ('receipt', 'disbursement', 'expenditure')
      union all
      select 'pledge', p.id::text, p.pledged_on::text, p.amount::text, p.currency, null, p.title
      from pledges p where p.instrument_id = ${instrument.id}::uuid and ${visibleTo(actor, 'p')}
      union all
      select 'agreement', a.id::text, a.signed_on::text, a.amount::text, a.currency, null, a.reference
      from funding_agreements a where a.instrument_id = ${instrument.id}::uuid and ${visibleTo(actor, 'a')}
      order by 3, 2`);
    const donor = { ref: instrument.donorRef, name: instrument.donor, type: null };
    const activity: IatiActivity = {
      identifier: `${reportingOrg.ref}-${instrument.id}`,
      version: '2.03',
      lang: 'en',
      title: instrument.name,
      titles: [{ lang: null, text: instrument.name }, ...(instrument.nameAr ? [{ lang: 'ar', text: instrument.nameAr }] : [])],
      description: instrument.restrictions.length ? `Restrictions: ${instrument.restrictions.join('; ')}` : instrument.name,
      descriptions: [],
      // OrganisationType 40: multilateral (the mission); ActivityStatus 2: implementation.
      reportingOrg: { ref: reportingOrg.ref, name: reportingOrg.name, type: '40' },
      participatingOrgs: [
        { ...donor, role: '1' },
        { ref: reportingOrg.ref, name: reportingOrg.name, type: '40', role: '4' },
      ],
      activityStatus: '2',
      // ActivityDateType 2: actual start, the first money movement or pledge.
      activityDates: [{ type: '2', date: rows.rows[0]?.date ?? new Date().toISOString().slice(0, 10) }],
      defaultCurrency: 'USD',
      humanitarian: true,
      budgets: [],
      transactions: rows.rows.map((r, index) => ({
        ref: r.ref,
        typeCode: (r.kind === 'pledge' ? '13' : r.kind === 'agreement' ? '11' : IATI_TYPE[r.kind]) as IatiTransaction['typeCode'],
        date: r.date,
        value: r.amount,
        currency: r.currency,
        valueDate: r.date,
        provider: r.kind === 'receipt' || r.kind === 'pledge' || r.kind === 'agreement' ? donor : null,
        receiver: r.payee ? { ref: null, name: r.payee, type: null } : null,
        description: r.description || null,
        descriptions: [],
        index,
      })),
      line: 0,
    };
    yield activity;
  }
}

/** Every ledger movement, pledge and agreement the caller may see, as rows of the HXL export. */
export async function* fundingRows(db: Queryable, actor: Actor | null): AsyncGenerator<FundingHxlRow> {
  const rows = await db.query<FundingHxlRow>(sql`
    select t.id::text as reference, t.value_date::text as date, t.kind as status, d.name as donor, d.country_code as "donorCode",
           p.name as recipient, p.country_code as "recipientCode", b.name_en as sector,
           (case when t.kind = 'reversal' then -t.amount_usd else t.amount_usd end)::text as "amountUsd",
           (case when t.kind = 'reversal' then -t.amount else t.amount end)::text as amount, t.currency, t.description,
           t.reverses_id::text as reverses
    from ledger_transactions t join funding_instruments i on i.id = t.instrument_id join organisations d on d.id = i.donor_org_id
      left join organisations p on p.id = t.payee_org_id left join budget_lines b on b.id = t.budget_line_id
    where ${visibleTo(actor, 'i')}
    union all
    select pl.id::text, pl.pledged_on::text, 'pledge', d.name, d.country_code, null, null, null, pl.amount_usd::text, pl.amount::text, pl.currency, pl.title, null
    from pledges pl join funding_instruments i on i.id = pl.instrument_id join organisations d on d.id = i.donor_org_id
    where ${visibleTo(actor, 'pl')} and ${visibleTo(actor, 'i')}
    union all
    select a.id::text, a.signed_on::text, 'commitment', d.name, d.country_code, null, null, null, a.amount_usd::text, a.amount::text, a.currency, a.reference, null
    from funding_agreements a join funding_instruments i on i.id = a.instrument_id join organisations d on d.id = i.donor_org_id
    where ${visibleTo(actor, 'a')} and ${visibleTo(actor, 'i')}
    order by 2, 1`);
  yield* rows.rows;
}
