/**
 * Money, exactly, for the server and the web app alike. Amounts travel as decimal strings
 * and become integer minor units (bigint) only with a currency, whose minor unit comes from
 * the shipped ISO 4217 table (`iso-4217.json`, with its source and date): never floating
 * point, never rounded without saying. Formatting for people goes through one Intl
 * formatter per locale and currency, kept once made.
 */
import table from './iso-4217.json' with { type: 'json' };

export interface Currency {
  code: string;
  number: string;
  /** Digits after the decimal point; null where ISO 4217 says N.A. (funds, metals, testing codes). */
  minorUnits: number | null;
  name: string;
}

/** Every figure Concord reports is also in US dollars. */
export const REPORTING_CURRENCY = 'USD';

const CURRENCIES: ReadonlyMap<string, Currency> = new Map(table.currencies.map((c) => [c.code, c as Currency]));

/** When the shipped ISO 4217 list was published, and where it comes from. */
export const ISO_4217_SOURCE = { published: table.published, source: table.source };

export function currency(code: string): Currency | undefined {
  return CURRENCIES.get(code);
}

/** Any code of the ISO 4217 list (funds and metals included): what aid-data files may name. */
export function isCurrencyCode(code: string): boolean {
  return CURRENCIES.has(code);
}

/** A currency money can be recorded in: on the ISO 4217 list, with a minor unit. */
export function isMoneyCurrency(code: string): boolean {
  return CURRENCIES.get(code)?.minorUnits != null;
}

export class MoneyError extends Error {
  override name = 'MoneyError';
}

/** Digits after the decimal point in the currency's minor unit (USD 2, JPY 0, KWD 3). */
export function minorDigits(code: string): number {
  const found = CURRENCIES.get(code);
  if (found?.minorUnits == null) throw new MoneyError(`${code} is not a currency money can be recorded in`);
  return found.minorUnits;
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

/** The number of decimals written in a decimal string. */
export function decimalsOf(amount: string): number {
  const dot = amount.indexOf('.');
  return dot < 0 ? 0 : amount.length - dot - 1;
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

/** Minor units as a decimal string with all of the currency's decimals: `123450n` USD → `"1234.50"`. */
export function fixedFromMinorUnits(units: bigint, currencyCode: string): string {
  const digits = minorDigits(currencyCode);
  const negative = units < 0n;
  const text = (negative ? -units : units).toString().padStart(digits + 1, '0');
  const cut = text.length - digits;
  return `${negative ? '-' : ''}${digits ? `${text.slice(0, cut)}.${text.slice(cut)}` : text}`;
}

/** The inverse of toMinorUnits, canonical: `123450n` in `"USD"` → `"1234.5"`. */
export function fromMinorUnits(units: bigint, currencyCode: string): string {
  return canonicalDecimal(fixedFromMinorUnits(units, currencyCode))!;
}

/** Cents of a US dollar decimal string, exactly (net figures and reversals can be negative). */
export function centsOf(usd: string): bigint {
  return toMinorUnits(usd, REPORTING_CURRENCY);
}

/** A US dollar decimal string of cents: `-4050n` → `"-40.50"`. */
export function usdOf(cents: bigint): string {
  return fixedFromMinorUnits(cents, REPORTING_CURRENCY);
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(key: string, make: () => Intl.NumberFormat): Intl.NumberFormat {
  let found = formatters.get(key);
  if (!found) {
    found = make();
    formatters.set(key, found);
  }
  return found;
}

/** An exact decimal amount with the currency's decimals and no symbol: `"1000000"` EUR in `en` → `"1,000,000.00"`. */
export function formatAmount(amount: string, currencyCode: string, locale: string): string {
  const digits = minorDigits(currencyCode);
  const format = formatter(
    `amount|${locale}|${digits}`,
    () => new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }),
  );
  return format.format(amount as unknown as number);
}

/**
 * An exact decimal amount for people: grouped and with the currency's decimals in the
 * locale's way (`"1000000"` USD in `en` → `"$1,000,000.00"`, in `ar` → `"‏1,000,000.00 US$"`
 * or with Arabic-Indic digits, as the locale says). Formatting reads the decimal string
 * itself, so nothing is rounded through a floating-point number.
 */
export function formatMoney(
  amount: string,
  currencyCode: string,
  locale: string,
  options: { display?: 'symbol' | 'code'; fractions?: 'all' | 'none'; numberingSystem?: string } = {},
): string {
  const key = `money|${locale}|${currencyCode}|${options.display ?? 'symbol'}|${options.fractions ?? 'all'}|${options.numberingSystem ?? ''}`;
  const format = formatter(key, () => {
    const digits = options.fractions === 'none' ? 0 : minorDigits(currencyCode);
    return new Intl.NumberFormat(options.numberingSystem ? `${locale}-u-nu-${options.numberingSystem}` : locale, {
      style: 'currency',
      currency: currencyCode,
      currencyDisplay: options.display ?? 'symbol',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
  });
  // Intl formats a decimal string exactly (rounding half-expand only past the digits asked for).
  return format.format(amount as unknown as number);
}
