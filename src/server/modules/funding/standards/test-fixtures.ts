/**
 * Shared by the standards tests and the bench: where the shared sample files are, and a
 * realistic set of mission funding activities (pledges, commitments, receipts,
 * disbursements, expenditures and budgets, in English and Arabic) built from a seed.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IatiActivity, IatiTransaction, TransactionTypeCode } from './iati-model.ts';

/** `../shared/` beside the repository root. */
export const SHARED_DIR = fileURLToPath(new URL('../../../../../../shared/', import.meta.url));
export const SHARED_PRESENT = existsSync(SHARED_DIR);
export const SHARED_SKIP = 'skipped: ../shared not found';

/** mulberry32: a small seeded generator, so the same seed always gives the same data. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  return { next, int, pick };
}

const DONORS = [
  { ref: 'XM-DAC-41114', name: 'United Nations Development Programme', type: '40' },
  { ref: 'GB-GOV-1', name: 'Foreign, Commonwealth & Development Office', type: '10' },
  { ref: 'XI-IATI-EC_ECHO', name: 'European Commission - Humanitarian Aid & Civil Protection', type: '15' },
  { ref: 'NO-BRC-971277882', name: 'Norwegian Agency for Development Cooperation', type: '10' },
  { ref: 'XM-DAC-2-10', name: 'Japan International Cooperation Agency', type: '10' },
] as const;
const PARTNERS = [
  { ref: 'XM-DAC-41122', name: 'UNICEF', type: '40' },
  { ref: 'XM-DAC-41140', name: 'World Food Programme', type: '40' },
  { ref: 'XM-DAC-41130', name: 'UNRWA', type: '40' },
  { ref: 'PS-NGO-0001', name: 'Gaza Water & Sanitation Partners <GWSP>', type: '22' },
] as const;
const PROJECTS = [
  ['Water network repair, Khan Yunis', 'إصلاح شبكة المياه، خان يونس'],
  ['Rubble clearance, Gaza City', 'إزالة الركام، مدينة غزة'],
  ['Primary health centres, Rafah', 'مراكز الرعاية الصحية الأولية، رفح'],
  ['School rehabilitation, Deir al-Balah', 'إعادة تأهيل المدارس، دير البلح'],
  ['Power grid restoration, North Gaza', 'استعادة شبكة الكهرباء، شمال غزة'],
] as const;
const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'JOD'] as const;

/** An amount with as many decimals as the currency allows (none for JPY, three for JOD). */
function amount(random: ReturnType<typeof seeded>, currency: string): string {
  const whole = random.int(1_000, 5_000_000);
  const decimals = currency === 'JPY' ? 0 : currency === 'JOD' ? 3 : 2;
  if (decimals === 0 || random.next() < 0.4) return String(whole);
  const fraction = String(random.int(1, 10 ** decimals - 1))
    .padStart(decimals, '0')
    .replace(/0+$/, '');
  return `${whole}.${fraction}`;
}

const day = (random: ReturnType<typeof seeded>, year: number) =>
  `${year}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;

/**
 * One mission activity as the funding ledger would export it: an incoming pledge and an
 * incoming commitment from a donor, the receipt of funds, an outgoing commitment to a
 * partner, disbursements and the partner's expenditures, plus yearly budgets.
 */
export function missionActivity(n: number, random = seeded(n + 1)): IatiActivity {
  const donor = random.pick(DONORS);
  const partner = random.pick(PARTNERS);
  const [en, ar] = random.pick(PROJECTS);
  const currency = random.pick(CURRENCIES);
  const year = random.int(2025, 2027);
  const mission = { ref: 'XM-OCHA-CONCORD', name: 'Stabilization Mission Funding Office', type: '40' };
  const transactions: IatiTransaction[] = [];
  const add = (
    typeCode: TransactionTypeCode,
    provider: typeof mission | null,
    receiver: typeof mission | null,
    text: [string, string] | null,
  ) => {
    const date = day(random, year);
    transactions.push({
      ref: random.next() < 0.8 ? `CON-${n}-T${transactions.length + 1}` : null,
      typeCode,
      date,
      value: amount(random, currency),
      currency,
      valueDate: date,
      provider: provider && { ...provider },
      receiver: receiver && { ...receiver },
      description: text?.[0] ?? null,
      descriptions: text
        ? [
            { lang: null, text: text[0] },
            { lang: 'ar', text: text[1] },
          ]
        : [],
      index: transactions.length,
    });
  };
  add('13', donor, mission, ['Pledge at the reconstruction conference', 'تعهد في مؤتمر إعادة الإعمار']);
  add('11', donor, mission, ['Signed grant agreement', 'اتفاقية منحة موقعة']);
  add('1', donor, mission, ['First tranche received', 'استلام الدفعة الأولى']);
  add('12', mission, partner, null);
  add('2', mission, partner, ['Grant to implementing partner', 'منحة للشريك المنفذ']);
  for (let i = random.int(1, 3); i > 0; i--) add('3', mission, partner, ['Disbursement to partner', 'صرف للشريك']);
  for (let i = random.int(1, 4); i > 0; i--) add('4', partner, null, ['Contractor invoice & materials', 'فاتورة المقاول والمواد']);
  const title = `${en} (phase ${n + 1})`;
  const description = `Funding for ${en.toLowerCase()}, tracked in the mission ledger.`;
  return {
    identifier: `XM-OCHA-CONCORD-${String(n + 1).padStart(6, '0')}`,
    version: '2.03',
    lang: 'en',
    title,
    titles: [
      { lang: null, text: title },
      { lang: 'ar', text: `${ar} (المرحلة ${n + 1})` },
    ],
    description,
    descriptions: [
      { lang: null, text: description },
      { lang: 'ar', text: `تمويل ${ar}، متابع في سجل البعثة.` },
    ],
    reportingOrg: mission,
    participatingOrgs: [
      { ...donor, role: '1' },
      { ...mission, role: '2' },
      { ...partner, role: '4' },
    ],
    activityStatus: '2',
    activityDates: [
      { type: '1', date: `${year}-01-01` },
      { type: '2', date: `${year}-02-15` },
    ],
    defaultCurrency: currency,
    humanitarian: true,
    budgets: [0, 1].map((k) => ({
      type: '1',
      status: k === 0 ? '2' : '1',
      periodStart: `${year + k}-01-01`,
      periodEnd: `${year + k}-12-31`,
      value: amount(random, currency),
      currency,
      valueDate: `${year}-01-01`,
    })),
    transactions,
    line: 0,
  };
}
