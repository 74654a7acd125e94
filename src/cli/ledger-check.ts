/** The ledger check as the console prints it: consistent, or each account and month that differs, with both figures. */
import type { BalanceDifference, LedgerCheck, MonthlyDifference } from '../server/modules/funding/ledger-check.ts';

const balanceLine = (d: BalanceDifference) =>
  `  ${d.kind} account ${d.accountId} (instrument ${d.instrumentId}): the ledger keeps USD ${d.keptUsd}, its entries add up to USD ${d.fromEntriesUsd}`;

const monthlyLine = (d: MonthlyDifference) =>
  `  ${d.month} ${d.kind} on instrument ${d.instrumentId}: the roll-up keeps USD ${d.keptUsd} in ${d.keptTransactions} transaction(s), ` +
  `the transactions add up to USD ${d.fromTransactionsUsd} in ${d.fromTransactions}`;

export function ledgerCheckReport(check: LedgerCheck): string {
  const counted = `${check.accounts} account(s) and ${check.months} monthly figure(s)`;
  if (check.status === 'consistent') return `consistent: ${counted} recomputed from the entries, every one as the ledger keeps it.`;
  return [
    `DIFFERENT: of ${counted}, ${check.balances.length} balance(s) and ${check.monthly.length} monthly figure(s) differ from their entries.`,
    ...(check.balances.length ? ['Balances:', ...check.balances.map(balanceLine)] : []),
    ...(check.monthly.length ? ['Monthly figures:', ...check.monthly.map(monthlyLine)] : []),
  ].join('\n');
}
