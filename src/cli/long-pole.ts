/**
 * `concord conditions long-pole`: the analysis answer as text. Each condition shows what
 * it holds back together with others (the ranking) and alone; a blocked dimension is
 * never reported as held back by nothing.
 */

export const DIMENSION_NAMES = {
  money_usd: 'money (USD)',
  personnel: 'personnel',
  aid_trucks_per_day: 'aid trucks per day',
  projects: 'projects',
} as const;

export type Dimension = keyof typeof DIMENSION_NAMES;

type Values = Record<Dimension, string | number>;

/** The parts of GET /api/conditions/analysis this report reads. */
export interface AnalysisAnswer {
  totals: { blocked: Values; blockedOnlyByHidden: Values };
  gateCounts: { unlockingSetsTruncated: number };
  longPole: Record<
    Dimension,
    {
      conditions: { code: string; titleEn: string; inUnlockingSets: Values; heldBack: Values }[];
      stakeholders: { name: string; inUnlockingSets: Values; heldBack: Values }[];
    }
  >;
}

export const MEASURES_EXPLAINED = [
  'with others: what is blocked where the condition is part of at least one smallest way to open it (a minimal unlocking set).',
  'alone: what cannot open while the condition is unmet, whatever else is met.',
];

const isZero = (value: string | number) => Number(value) === 0;

/** Rows as a plain text table, numbers right-aligned. */
function table(headings: string[], rows: string[][], rightAligned: number[]): string {
  const widths = headings.map((heading, i) => Math.max(heading.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headings), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function longPoleReport(analysis: AnalysisAnswer, dimension: Dimension): string {
  const name = DIMENSION_NAMES[dimension];
  const blocked = analysis.totals.blocked[dimension];
  const onlyHidden = analysis.totals.blockedOnlyByHidden[dimension];
  const ranking = analysis.longPole[dimension];
  if (isZero(blocked)) return `Nothing is blocked in ${name}.`;
  const lines = [`Blocked: ${blocked} ${name}.`];
  if (!isZero(onlyHidden)) lines.push(`Of that, ${onlyHidden} waits only on conditions you may not see.`);
  if (ranking.conditions.length) {
    lines.push(
      '',
      table(
        ['#', 'condition', 'title', 'with others', 'alone'],
        ranking.conditions.map((c, i) => [
          String(i + 1),
          c.code,
          c.titleEn,
          String(c.inUnlockingSets[dimension]),
          String(c.heldBack[dimension]),
        ]),
        [0, 3, 4],
      ),
    );
  }
  if (ranking.stakeholders.length) {
    lines.push(
      '',
      table(
        ['#', 'stakeholder', 'with others', 'alone'],
        ranking.stakeholders.map((s, i) => [String(i + 1), s.name, String(s.inUnlockingSets[dimension]), String(s.heldBack[dimension])]),
        [0, 2, 3],
      ),
    );
  }
  lines.push('', ...MEASURES_EXPLAINED);
  if (analysis.gateCounts.unlockingSetsTruncated > 0) {
    lines.push(
      `${analysis.gateCounts.unlockingSetsTruncated} blocked gates have too many ways to open to work out all of them; "with others" may leave out a condition there.`,
    );
  }
  return lines.join('\n');
}
