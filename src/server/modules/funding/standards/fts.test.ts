import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FtsFormatError, readFts } from './fts-read.ts';
import { SHARED_DIR, SHARED_PRESENT, SHARED_SKIP } from './test-fixtures.ts';

const SAMPLE = join(SHARED_DIR, 'samples/fts/flows-opt-2020-page-3.json');

/** Exact decimal sum of number texts, written here so it shares nothing with the code under test. */
function sum(texts: string[]): string {
  const scale = 6;
  let total = 0n;
  for (const t of texts) {
    const [whole, fraction = ''] = t.replace('-', '').split('.');
    const units = BigInt(whole + fraction.padEnd(scale, '0'));
    total += t.startsWith('-') ? -units : units;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
  return negative ? `-${text}` : text;
}

describe.skipIf(!SHARED_PRESENT)(`FTS sample in ../shared (${SHARED_PRESENT ? 'present' : SHARED_SKIP})`, () => {
  it('imports every flow, with totals per status equal to the amounts written in the file', () => {
    const raw = readFileSync(SAMPLE, 'utf8');
    // Expected figures straight from the text: each flow writes amountUSD, then later its status.
    const pairs = [...raw.matchAll(/"amountUSD": (-?\d+(?:\.\d+)?),[\s\S]*?"status": "(\w+)"/g)];
    expect(pairs.length).toBe(raw.split('"amountUSD"').length - 1);
    const expected: Record<string, string> = {};
    for (const status of new Set(pairs.map((p) => p[2]))) expected[status] = sum(pairs.filter((p) => p[2] === status).map((p) => p[1]));

    const { flows, skips } = readFts(raw);
    expect(skips).toEqual([]);
    expect(flows.length).toBe(pairs.length);
    const observed: Record<string, string> = {};
    for (const status of new Set(flows.map((f) => f.status))) {
      observed[status] = sum(flows.filter((f) => f.status === status).map((f) => f.amountUsd));
    }
    expect(observed).toEqual(expected);
    expect(Object.keys(expected).sort()).toEqual(['commitment', 'paid']);
  });

  it('picks the donor, recipient, original currency and dates out of the flow', () => {
    const { flows } = readFts(readFileSync(SAMPLE, 'utf8'));
    const canada = flows.find((f) => f.id === '227704')!;
    expect(canada).toMatchObject({
      status: 'commitment',
      iatiType: '11',
      amountUsd: '909091',
      originalAmount: '1250000',
      originalCurrency: 'CAD',
      exchangeRate: '1.375',
      date: '2020-03-31',
      boundary: 'incoming',
      parentFlowId: '209271',
    });
    expect(canada.destination.globalClusters.length).toBe(2);
    const italy = flows.find((f) => f.id === '227702')!;
    expect(italy.donor).toEqual({ id: '8924', name: 'Italian Agency for Development Cooperation' });
    expect(italy.recipient).toEqual({ id: '10318', name: 'WeWorld - Gruppo Volontariato Civile Onlus' });
    expect(italy.destination.projects[0].code).toBe('HPSE20-WSH;SHL-159777-1');
    expect(italy.originalAmount).toBeNull();
    expect(flows.filter((f) => f.status === 'paid').every((f) => f.iatiType === '1')).toBe(true);
  });
});

describe('FTS reader: problems', () => {
  const answer = (flows: unknown[]) => JSON.stringify({ status: 'ok', data: { flows } });
  const good = { id: '1', status: 'pledge', amountUSD: 1000.5, date: '2024-05-01T00:00:00Z', sourceObjects: [], destinationObjects: [] };

  // 17 significant digits, as a file would write them: more than a double keeps exactly.
  const tooPrecise: number = JSON.parse('1234567890123456.7');

  it('skips flows it cannot use, saying why, and keeps the rest', () => {
    const { flows, skips, duplicates } = readFts(
      answer([
        good,
        { ...good, id: null },
        { ...good, id: '2', status: 'promised' },
        { ...good, id: '3', amountUSD: 'lots' },
        { ...good, id: '4', amountUSD: tooPrecise },
        { ...good, id: '5', originalAmount: 10, originalCurrency: 'XYZ' },
        { ...good },
      ]),
    );
    expect(flows).toMatchObject([{ id: '1', status: 'pledge', iatiType: '13', amountUsd: '1000.5', date: '2024-05-01' }]);
    expect(skips.map((s) => [s.index, s.reason])).toEqual([
      [1, 'the flow has no id'],
      [2, 'status "promised" is not one of pledge, commitment, paid'],
      [3, 'amountUSD "lots" is not a number'],
      [4, `amountUSD ${tooPrecise} has too many digits to be read exactly`],
      [5, 'originalCurrency XYZ is not an ISO 4217 code'],
    ]);
    // A flow repeated in the same answer is read once and reported as a duplicate.
    expect(duplicates).toEqual([{ index: 6, id: '1' }]);
  });

  it('refuses what is not an FTS flow answer', () => {
    expect(() => readFts('{')).toThrow(FtsFormatError);
    expect(() => readFts('{"data": {}}')).toThrow(/expected \{ data: \{ flows/);
    expect(() => readFts('{"status": "error", "data": {"flows": []}}')).toThrow(/status "error"/);
  });
});
