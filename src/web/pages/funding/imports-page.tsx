/**
 * Imports of donors' files (IATI XML, OCHA FTS JSON) as reported flows: send a file, strict
 * or lenient, see how far the upload is, then what was kept or why nothing was, line by
 * line; the reported flows' totals with money received and money passed on apart, and
 * what each total leaves out for want of an exchange rate; and the record of past imports.
 */
import { Alert, Badge, Button, Card, Checkbox, FileInput, Group, List, Progress, Radio, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { NoResultsRow } from '../../components/no-results-row';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { api, isApiError } from '../../http/api-client';
import { fundingQueries } from '../../http/queries/funding';
import { useFormat } from '../../i18n/format';
import { useIntlLocale } from '../../i18n/use-intl-locale';
import { FundingTabs } from './funding-parts';

type Source = 'iati' | 'fts';
type Direction = 'incoming' | 'outgoing' | 'internal';

interface Figure {
  status: string;
  direction: Direction | null;
  count: number;
  usd: string;
  unconverted: { count: number; amounts: { currency: string; amount: string }[] };
}
interface Skip {
  line: number | null;
  reference: string | null;
  transactions: number;
  problems: { line: number | null; element: string; rule: string; detail: string }[];
}
interface Report {
  id: string;
  records: number;
  transactions: number;
  imported: number;
  alreadyImported: number;
  skipped: number;
  skips: Skip[];
  duplicates: number;
  duplicateList: { line: number | null; firstLine: number | null; reference: string }[];
  figures: Figure[];
}
interface Refusal {
  detail: string;
  skipped: number;
  skips: Skip[];
}
interface ImportRecord {
  id: string;
  source: Source;
  mode: 'strict' | 'lenient';
  fileName: string;
  status: 'running' | 'imported' | 'refused' | 'abandoned';
  startedBy: string;
  startedAt: string;
  problem: string | null;
  imported: number | null;
  skipped: number | null;
}

/** An alert whose wide content (a table) scrolls inside it instead of widening it past the screen. */
const FIT = { wrapper: { minWidth: 0 }, body: { minWidth: 0 } };
const CONTENT_TYPES: Record<Source, string> = { iati: 'application/xml', fts: 'application/json' };
const STATUS_COLORS: Record<ImportRecord['status'], string> = { running: 'blue', imported: 'teal', refused: 'red', abandoned: 'gray' };

/** Amounts exactly as stated: every decimal the value has (at least the currency's own). */
function useExactMoney() {
  const locale = useIntlLocale();
  return useMemo(
    () => (value: string, currency: string) => {
      try {
        const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().minimumFractionDigits ?? 2;
        const format = new Intl.NumberFormat(locale, {
          style: 'currency',
          currency,
          currencyDisplay: locale.startsWith('ar') ? 'name' : 'symbol',
          minimumFractionDigits: digits,
          maximumFractionDigits: 20,
        });
        // Intl formats a decimal string exactly, without passing through a float.
        return (format.format as (v: string) => string)(value);
      } catch {
        return `${value} ${currency}`;
      }
    },
    [locale],
  );
}

function FiguresTable({ figures, testId }: { figures: Figure[]; testId: string }) {
  const { t } = useTranslation();
  const money = useExactMoney();
  return (
    <Table.ScrollContainer minWidth={320}>
      <Table striped data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('funding.imports.direction')}</Table.Th>
            <Table.Th>{t('funding.imports.status')}</Table.Th>
            <Table.Th style={{ textAlign: 'end' }}>{t('funding.imports.count')}</Table.Th>
            <Table.Th style={{ textAlign: 'end' }}>{t('funding.imports.usd')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {figures.map((f) => (
            <Table.Tr key={`${f.direction}-${f.status}`} data-testid="figure-row">
              <Table.Td>{t(`funding.imports.directions.${f.direction ?? 'unknown'}`)}</Table.Td>
              <Table.Td>{t(`funding.imports.statuses.${f.status}`)}</Table.Td>
              <Table.Td style={{ textAlign: 'end' }}>{f.count}</Table.Td>
              <Table.Td style={{ textAlign: 'end' }}>
                <span style={{ whiteSpace: 'nowrap' }}>{money(f.usd, 'USD')}</span>
                {f.unconverted.count > 0 && (
                  <Text size="xs" c="orange.8" data-testid="figure-unconverted">
                    {t('funding.imports.leavesOut', {
                      count: f.unconverted.count,
                      amounts: f.unconverted.amounts.map((a) => money(a.amount, a.currency)).join('، '),
                    })}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
          {figures.length === 0 && <NoResultsRow colSpan={4} hint="importFigures" />}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function SkipList({ skips, total }: { skips: Skip[]; total: number }) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs" data-testid="skip-list">
      {skips.map((skip) => (
        <div key={`${skip.line}-${skip.reference}`}>
          <Text size="sm" fw={500}>
            {t('funding.imports.skipAt', { line: skip.line ?? '?', reference: skip.reference ?? '' })}
          </Text>
          <List size="sm" spacing={2} withPadding>
            {skip.problems.map((p) => (
              <List.Item key={`${p.line}-${p.element}-${p.rule}-${p.detail}`}>
                <Text span size="sm" c="dimmed" dir="ltr">
                  {[p.line ? t('funding.imports.line', { line: p.line }) : null, p.element, p.rule].filter(Boolean).join(' · ')}
                </Text>{' '}
                <Text span size="sm" dir="ltr">
                  {p.detail}
                </Text>
              </List.Item>
            ))}
          </List>
        </div>
      ))}
      {total > skips.length && (
        <Text size="sm" c="dimmed">
          {t('funding.imports.more', { count: total - skips.length })}
        </Text>
      )}
    </Stack>
  );
}

function ImportForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [source, setSource] = useState<Source>('iati');
  const [file, setFile] = useState<File | null>(null);
  const [lenient, setLenient] = useState(false);
  const [sent, setSent] = useState<number | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    if (!file) return;
    setReport(null);
    setRefusal(null);
    setError(null);
    setSent(0);
    const query = `?mode=${lenient ? 'lenient' : 'strict'}&fileName=${encodeURIComponent(file.name)}`;
    try {
      setReport(await api.upload<Report>(`/api/funding/imports/${source}${query}`, file, CONTENT_TYPES[source], setSent));
    } catch (e) {
      if (isApiError(e) && e.code === 'funding.import-refused') setRefusal(e.problem as unknown as Refusal);
      else setError(isApiError(e) ? e.message : String(e));
    } finally {
      setSent(null);
      onDone();
    }
  };

  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <Title order={3} size="h4">
          {t('funding.imports.send')}
        </Title>
        <Radio.Group
          value={source}
          onChange={(value) => setSource(value as Source)}
          label={t('funding.imports.format')}
          data-testid="import-source"
        >
          <Group gap="lg" mt={4}>
            <Radio value="iati" label={t('funding.imports.iati')} />
            <Radio value="fts" label={t('funding.imports.fts')} />
          </Group>
        </Radio.Group>
        <FileInput
          label={t('funding.imports.file')}
          placeholder={t('funding.imports.choose')}
          accept={source === 'iati' ? '.xml,application/xml,text/xml' : '.json,application/json'}
          value={file}
          onChange={setFile}
          clearable
          data-testid="import-file"
        />
        <Checkbox
          label={t('funding.imports.lenient')}
          description={t('funding.imports.lenientHelp')}
          checked={lenient}
          onChange={(e) => setLenient(e.currentTarget.checked)}
          data-testid="import-lenient"
        />
        <Group>
          <Button onClick={submit} disabled={!file} loading={sent !== null} data-testid="import-submit">
            {t('funding.imports.import')}
          </Button>
        </Group>
        {sent !== null && (
          <Stack gap={4} data-testid="import-progress">
            <Progress value={sent * 100} animated={sent >= 1} aria-label={t('funding.imports.uploading')} />
            <Text size="xs" c="dimmed">
              {sent < 1 ? t('funding.imports.uploading') : t('funding.imports.checking')}
            </Text>
          </Stack>
        )}
        {error && (
          <Alert color="red" data-testid="import-error">
            {error}
          </Alert>
        )}
        {refusal && (
          <Alert color="red" title={t('funding.imports.refused')} styles={FIT} data-testid="import-refused">
            <Stack gap="sm">
              <Text size="sm" dir="ltr">
                {refusal.detail}
              </Text>
              {refusal.skips?.length > 0 && <SkipList skips={refusal.skips} total={refusal.skipped} />}
            </Stack>
          </Alert>
        )}
        {report && (
          <Alert color="teal" title={t('funding.imports.done')} styles={FIT} data-testid="import-report">
            <Stack gap="sm">
              <Text size="sm">
                {t('funding.imports.summary', {
                  records: report.records,
                  transactions: report.transactions,
                  imported: report.imported,
                  already: report.alreadyImported,
                  skipped: report.skipped,
                })}
              </Text>
              <FiguresTable figures={report.figures} testId="import-figures" />
              {report.skips.length > 0 && <SkipList skips={report.skips} total={report.skipped} />}
              {report.duplicateList.map((d) => (
                <Text key={`${d.line}-${d.reference}`} size="sm" data-testid="import-duplicate">
                  {t('funding.imports.duplicate', { line: d.line ?? '?', first: d.firstLine ?? '?', reference: d.reference })}
                </Text>
              ))}
            </Stack>
          </Alert>
        )}
      </Stack>
    </Card>
  );
}

export default function ImportsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const format = useFormat();
  const money = useExactMoney();
  const queryClient = useQueryClient();
  const flows = useQuery(fundingQueries.reportedFlows());
  const imports = useQuery(fundingQueries.imports());
  const refresh = () => queryClient.invalidateQueries({ queryKey: fundingQueries.all });

  return (
    <>
      <PageHeader title={t('funding.imports.title')} />
      <FundingTabs />
      <Stack gap="lg">
        <Text size="sm" c="dimmed">
          {t('funding.imports.intro')}
        </Text>
        {can('funding.manage') && <ImportForm onDone={refresh} />}

        <Stack gap="xs">
          <Title order={3} size="h4">
            {t('funding.imports.totals')}
          </Title>
          <QueryState isPending={flows.isPending} error={flows.error}>
            <FiguresTable figures={flows.data?.figures ?? []} testId="reported-figures" />
            <Table.ScrollContainer minWidth={640}>
              <Table striped data-testid="reported-flows">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('funding.imports.date')}</Table.Th>
                    <Table.Th>{t('funding.imports.direction')}</Table.Th>
                    <Table.Th>{t('funding.imports.from')}</Table.Th>
                    <Table.Th>{t('funding.imports.to')}</Table.Th>
                    <Table.Th style={{ textAlign: 'end' }}>{t('funding.imports.amount')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {flows.data?.items.map((f) => (
                    <Table.Tr key={f.id}>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.date(f.flowDate)}</Table.Td>
                      <Table.Td>
                        {t(`funding.imports.directions.${f.direction ?? 'unknown'}`)} · {t(`funding.imports.statuses.${f.status}`)}
                      </Table.Td>
                      <Table.Td>{f.donorName}</Table.Td>
                      <Table.Td>{f.recipientName}</Table.Td>
                      <Table.Td style={{ textAlign: 'end', whiteSpace: 'nowrap' }}>
                        {money(f.amount, f.currency)}
                        {f.currency !== 'USD' && (
                          <Text size="xs" c={f.noRate ? 'orange.8' : 'dimmed'} data-testid={f.noRate ? 'no-rate' : undefined}>
                            {f.noRate
                              ? t('funding.imports.noRate', {
                                  currency: f.noRate.currency,
                                  date: f.noRate.date ? format.date(f.noRate.date) : '—',
                                })
                              : money(f.amountUsd ?? '0', 'USD')}
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                  {flows.data?.items.length === 0 && <NoResultsRow colSpan={5} hint="reportedFlows" />}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </QueryState>
        </Stack>

        <Stack gap="xs">
          <Title order={3} size="h4">
            {t('funding.imports.history')}
          </Title>
          <QueryState isPending={imports.isPending} error={imports.error}>
            <Table.ScrollContainer minWidth={640}>
              <Table striped data-testid="import-history">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('funding.imports.when')}</Table.Th>
                    <Table.Th>{t('funding.imports.file')}</Table.Th>
                    <Table.Th>{t('funding.imports.outcome')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {imports.data?.items.map((i) => (
                    <Table.Tr key={i.id}>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.dateTime(i.startedAt)}</Table.Td>
                      <Table.Td>
                        <Text size="sm" dir="ltr" span>
                          {i.fileName || '—'}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {t(`funding.imports.${i.source}`)} · {t(`funding.imports.modes.${i.mode}`)} · {i.startedBy}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge color={STATUS_COLORS[i.status]} variant="light">
                          {t(`funding.imports.outcomes.${i.status}`)}
                        </Badge>
                        {i.status === 'imported' && (
                          <Text size="xs" c="dimmed">
                            {t('funding.imports.kept', { imported: i.imported ?? 0, skipped: i.skipped ?? 0 })}
                          </Text>
                        )}
                        {i.problem && (
                          <Text size="xs" c="dimmed" dir="ltr">
                            {i.problem}
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                  {imports.data?.items.length === 0 && <NoResultsRow colSpan={3} hint="imports" />}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </QueryState>
        </Stack>
      </Stack>
    </>
  );
}
