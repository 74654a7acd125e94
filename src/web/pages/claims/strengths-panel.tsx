import {
  Alert,
  Button,
  Card,
  FileButton,
  Group,
  List,
  NumberInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoResultsRow } from '../../components/no-results-row';
import { ProblemAlert } from '../../components/problem-alert';
import { fieldErrors, notifySuccess } from '../../components/problems';
import { QueryState } from '../../components/query-state';
import { api } from '../../http/api-client';
import { claimQueries } from '../../http/queries/funding';
import { useFormat } from '../../i18n/format';
import type { ImportResult, Strength } from './claims-api';
import { useMonth } from './claims-api';

/** Strength figures of the caller's country: the list, one figure entered by hand, or a CSV file imported. */
export function StrengthsPanel() {
  const { t } = useTranslation();
  const format = useFormat();
  const monthName = useMonth();
  const queryClient = useQueryClient();
  const list = useQuery(claimQueries.strengths());
  const [contingent, setContingent] = useState('');
  const [month, setMonth] = useState('');
  const [days, setDays] = useState<number | string>('');
  const [csv, setCsv] = useState('');

  const enter = useMutation({
    mutationFn: () => api.put<Strength>('/api/funding/strengths', { contingent, month, personnelDays: days === '' ? null : Number(days) }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: claimQueries.strengths().queryKey });
      notifySuccess(t('claims.strengths.saved'));
    },
  });
  const importCsv = useMutation({
    mutationFn: () => api.post<ImportResult>('/api/funding/strengths/import', { csv }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: claimQueries.strengths().queryKey }),
  });
  const errors = fieldErrors(enter.error);
  const result = importCsv.data;

  return (
    <section aria-labelledby="strengths-title">
      <Title order={3} id="strengths-title" mb="sm">
        {t('claims.strengths.title')}
      </Title>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Card withBorder>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              enter.mutate();
            }}
            noValidate
          >
            <Stack gap="sm">
              <Text fw={500}>{t('claims.strengths.enter')}</Text>
              <ProblemAlert error={enter.error} fields={['contingent', 'month', 'personnelDays']} />
              <TextInput
                label={t('claims.contingent')}
                value={contingent}
                onChange={(e) => setContingent(e.currentTarget.value)}
                error={errors.contingent}
              />
              <Group grow>
                <TextInput
                  label={t('claims.month')}
                  placeholder="2026-04"
                  dir="ltr"
                  value={month}
                  onChange={(e) => setMonth(e.currentTarget.value)}
                  error={errors.month}
                />
                <NumberInput
                  label={t('claims.personnelDays')}
                  value={days}
                  onChange={setDays}
                  min={0}
                  allowDecimal={false}
                  error={errors.personnelDays}
                />
              </Group>
              <Button type="submit" loading={enter.isPending} w="fit-content" data-testid="strength-save">
                {t('claims.strengths.save')}
              </Button>
            </Stack>
          </form>
        </Card>
        <Card withBorder>
          <Stack gap="sm">
            <Text fw={500}>{t('claims.strengths.import')}</Text>
            <Text size="sm" c="dimmed">
              {t('claims.strengths.importHint')}
            </Text>
            <Textarea
              label={t('claims.strengths.csv')}
              value={csv}
              onChange={(e) => setCsv(e.currentTarget.value)}
              autosize
              minRows={4}
              maxRows={10}
              dir="ltr"
              styles={{ input: { fontFamily: 'monospace' } }}
              data-testid="strength-csv"
            />
            <Group>
              <FileButton accept=".csv,text/csv" onChange={(file) => void file?.text().then(setCsv)}>
                {(props) => (
                  <Button variant="default" {...props}>
                    {t('claims.strengths.chooseFile')}
                  </Button>
                )}
              </FileButton>
              <Button onClick={() => importCsv.mutate()} loading={importCsv.isPending} disabled={!csv.trim()} data-testid="strength-import">
                {t('claims.strengths.importButton')}
              </Button>
            </Group>
            <ProblemAlert error={importCsv.error} />
            {result && (
              <Alert color={result.refused.length ? 'yellow' : 'teal'} data-testid="import-result">
                <Text size="sm">
                  {t('claims.strengths.result', { imported: result.imported, updated: result.updated, unchanged: result.unchanged })}
                </Text>
                {result.refused.length > 0 && (
                  <>
                    <Text size="sm" fw={500} mt="xs">
                      {t('claims.strengths.refused', { count: result.refused.length })}
                    </Text>
                    <List size="sm">
                      {result.refused.map((r) => (
                        <List.Item key={r.line}>
                          {t('claims.strengths.line', { line: format.number(r.line) })}{' '}
                          <span dir="ltr" lang="en">
                            {r.reason}
                          </span>
                        </List.Item>
                      ))}
                    </List>
                  </>
                )}
              </Alert>
            )}
          </Stack>
        </Card>
      </SimpleGrid>
      <QueryState isPending={list.isPending} error={list.error}>
        <Table.ScrollContainer minWidth={520}>
          <Table striped mt="md" data-testid="strengths-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('claims.country')}</Table.Th>
                <Table.Th>{t('claims.contingent')}</Table.Th>
                <Table.Th>{t('claims.month')}</Table.Th>
                <Table.Th ta="end">{t('claims.personnelDays')}</Table.Th>
                <Table.Th>{t('claims.strengths.source')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data?.items.map((s) => (
                <Table.Tr key={`${s.countryOrgId}-${s.contingent}-${s.month}`}>
                  <Table.Td>{s.countryName}</Table.Td>
                  <Table.Td>{s.contingent}</Table.Td>
                  <Table.Td>{monthName(s.month)}</Table.Td>
                  <Table.Td ta="end">{format.number(s.personnelDays)}</Table.Td>
                  <Table.Td>{t(`claims.strengths.sources.${s.source === 'imported' ? 'imported' : 'entered'}`)}</Table.Td>
                </Table.Tr>
              ))}
              {list.data?.items.length === 0 && <NoResultsRow colSpan={5} hint="strengths" />}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </QueryState>
    </section>
  );
}
