/**
 * Exact money for the funding standards: amounts travel as decimal strings (never floats)
 * and become integer minor units (bigint) only with a currency, whose number of minor-unit
 * digits comes from the shipped ISO 4217 table (`iso-4217.json`, with its source and date).
 */
import table from './iso-4217.json' with { type: 'json' };

export interface Currency {
  code: string;
  number: string;
  /** Digits after the decimal point; null where ISO 4217 says N.A. (funds, metals, testing codes). */
  minorUnits: number | null;
  name: string;
}

const CURRENCIES: ReadonlyMap<string, Currency> = new Map(table.currencies.map((c) => [c.code, c as Currency]));

/** When the shipped ISO 4217 list was published, and where it comes from. */
export const ISO_4217_SOURCE = { published: table.published, source: table.source };

export function currency(code: string): Currency | undefined {
  return CURRENCIES.get(code);
}

export function isCurrencyCode(code: string): boolean {
  return CURRENCIES.has(code);
}

// xsd:decimal lexical space: optional sign, digits with an optional fraction, or a bare fraction.
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * The canonical form of a decimal string (`"+001234.50"` → `"1234.5"`, `"-0"` → `"0"`,
 * `".5"` → `"0.5"`), or null when the text is not a decimal number. Surrounding white space
 * is ignored, as XML Schema does for xsd:decimal.
 */
export function canonicalDecimal(text: string): string | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  const [, sign, whole, fraction = ''] = match;
  if (whole === '' && fraction === '') return null;
  const integer = whole.replace(/^0+/, '') || '0';
  const decimals = fraction.replace(/0+$/, '');
  const body = decimals ? `${integer}.${decimals}` : integer;
  return sign === '-' && body !== '0' ? `-${body}` : body;
}

export class MoneyError extends Error {
  override name = 'MoneyError';
}

/**
 * `"1234.5"` in `"USD"` → `123450n` (cents). Throws a MoneyError for an unknown currency, a
 * currency without minor units in ISO 4217, text that is not a decimal, or more decimals than
 * the currency has (rather than rounding money silently).
 */
export function toMinorUnits(value: string, currencyCode: string): bigint {
  const found = CURRENCIES.get(currencyCode);
  if (!found) throw new MoneyError(`${currencyCode} is not an ISO 4217 currency code`);
  if (found.minorUnits === null) throw new MoneyError(`${currencyCode} (${found.name}) has no minor unit in ISO 4217`);
  const canonical = canonicalDecimal(value);
  if (canonical === null) throw new MoneyError(`"${value}" is not a decimal number`);
  const negative = canonical.startsWith('-');
  const [whole, fraction = ''] = (negative ? canonical.slice(1) : canonical).split('.');
  if (fraction.length > found.minorUnits) {
    throw new MoneyError(`${value} ${currencyCode} has more decimals than the ${found.minorUnits} ${currencyCode} allows`);
  }
  const units = BigInt(whole + fraction.padEnd(found.minorUnits, '0'));
  return negative ? -units : units;
}

/** The inverse of toMinorUnits: `123450n` in `"USD"` → `"1234.5"` (canonical). */
export function fromMinorUnits(units: bigint, currencyCode: string): string {
  const found = CURRENCIES.get(currencyCode);
  if (!found || found.minorUnits === null) throw new MoneyError(`${currencyCode} has no minor unit in ISO 4217`);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(found.minorUnits + 1, '0');
  const cut = digits.length - found.minorUnits;
  const text = found.minorUnits ? `${digits.slice(0, cut)}.${digits.slice(cut)}` : digits;
  return canonicalDecimal(negative ? `-${text}` : text)!;
}
