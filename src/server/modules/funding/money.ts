/**
 * Currencies and exact amounts. Amounts travel as decimal strings and are stored as
 * `numeric`; the database converts them to US dollars at a dated rate, rounding half away
 * from zero to cents. Nothing here uses floating point.
 */
import sql from 'sql-template-tag';
import type { Queryable } from '../../db/db.ts';
import { Problem } from '../../http/problems.ts';

export const REPORTING_CURRENCY = 'USD';

const KNOWN = new Set(Intl.supportedValuesOf('currency'));

/** Whether `code` is an ISO 4217 currency code this runtime knows. */
export function isCurrency(code: string): boolean {
  return KNOWN.has(code);
}

// A formatter costs far more to make than to ask: each currency's answer is kept.
const MINOR_DIGITS = new Map<string, number>();

/** Digits after the decimal point in the currency's minor unit (USD 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  let digits = MINOR_DIGITS.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    MINOR_DIGITS.set(currency, digits);
  }
  return digits;
}

/** The number of decimals written in a decimal string. */
export function decimalsOf(amount: string): number {
  const dot = amount.indexOf('.');
  return dot < 0 ? 0 : amount.length - dot - 1;
}

/** Cents of a USD decimal string, exactly (net figures and reversals can be negative). */
export function centsOf(usd: string): bigint {
  const negative = usd.startsWith('-');
  const [whole, fraction = ''] = (negative ? usd.slice(1) : usd).split('.');
  const cents = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
  return negative ? -cents : cents;
}

/** A USD decimal string of cents. */
export function usdOf(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

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
