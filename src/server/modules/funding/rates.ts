/**
 * Converting an amount to US dollars at a dated rate. Amounts travel as decimal strings and
 * are stored as `numeric`; the database converts them at the latest rate on or before the
 * value date, rounding half away from zero to cents. Nothing here uses floating point; exact
 * money itself is `src/shared/money.ts`.
 */
import sql from 'sql-template-tag';
import { centsOf, decimalsOf, REPORTING_CURRENCY, usdOf } from '../../../shared/money.ts';
import type { Queryable } from '../../db/db.ts';
import { Problem } from '../../http/problems.ts';

export interface Conversion {
  usdPerUnit: string;
  amountUsd: string;
}

/** Converts `amount` of `currency` to USD at the latest rate on or before `date`. */
export async function toUsd(db: Queryable, amount: string, currency: string, date: string): Promise<Conversion> {
  // Amounts never carry more decimals than their currency's minor unit, so US dollars are exact cents.
  if (currency === REPORTING_CURRENCY) {
    if (decimalsOf(amount) > 2) throw new Problem('request.invalid', `${amount} USD has more decimals than cents.`);
    return { usdPerUnit: '1', amountUsd: usdOf(centsOf(amount)) };
  }
  const row = (
    await db.query<{ rate: string; usd: string }>(sql`
      select usd_per_unit::text as rate, round(${amount}::numeric * usd_per_unit, 2)::text as usd
      from exchange_rates where currency = ${currency} and rate_date <= ${date}::date
      order by rate_date desc limit 1`)
  ).rows[0];
  if (!row)
    throw new Problem(
      'funding.exchange-rate-missing',
      `There is no ${currency} to USD rate on or before ${date}. Record one under exchange rates first.`,
      { currency, date },
    );
  if (row.usd === '0.00') throw new Problem('request.invalid', `${amount} ${currency} is less than one US cent.`);
  return { usdPerUnit: row.rate, amountUsd: row.usd };
}
