import { Alert, Badge, Button, Card, Code, Group, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../../components/problem-alert';
import { api } from '../../http/api-client';
import { auditQueries } from '../../http/queries/audit';
import type { AuditFinding, AuditVerification } from '../../http/types';
import { useFormat } from '../../i18n/format';

type Mode = 'since' | 'full';

/** A finding in the reader's language: the server's sentence is for API clients. */
function useFindingText() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  return (finding: AuditFinding) => {
    const key = `audit.findings.${finding.code}`;
    const values = {
      place: format.number(finding.seq),
      id: format.number(finding.id),
      size: format.number(finding.treeSize),
    };
    return i18n.exists(key) ? t(key, values) : finding.detail;
  };
}

/**
 * The state of the audit log's seal: the newest signed tree head, and whether the records
 * still make the tree it describes. Opening the page checks what was sealed since the last
 * verification (quick); the auditor can verify every record.
 */
export function AuditSeal() {
  const { t } = useTranslation();
  const format = useFormat();
  const findingText = useFindingText();
  const head = useQuery(auditQueries.latestHead());
  const verify = useMutation({
    mutationFn: (mode: Mode) => api.get<AuditVerification>('/api/audit/verify', mode === 'since' ? { since: 'checkpoint' } : {}),
    onSuccess: () => void head.refetch(),
  });
  const { mutate } = verify;
  useEffect(() => mutate('since'), [mutate]);

  const result = verify.data;
  const latest = head.data?.items[0];
  const running = verify.isPending ? verify.variables : null;

  return (
    <Card withBorder padding="md" mb="md" data-testid="audit-seal">
      <Stack gap="sm">
        <Group justify="space-between" gap="xs">
          <Title order={2} size="h4">
            {t('audit.seal.title')}
          </Title>
          {verify.isPending ? (
            <Badge color="gray" variant="light">
              {t('audit.seal.checking')}
            </Badge>
          ) : result ? (
            <Badge color={result.status === 'intact' ? 'teal' : 'red'} variant="filled" data-testid="audit-seal-status">
              {result.status === 'intact' ? t('audit.seal.intact') : t('audit.seal.broken')}
            </Badge>
          ) : null}
        </Group>

        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <Stack gap={2}>
            <Text size="xs" c="dimmed">
              {t('audit.seal.latestHead')}
            </Text>
            {latest ? (
              <>
                <Text size="sm" data-testid="audit-seal-head">
                  {t('audit.seal.headSummary', {
                    count: latest.treeSize,
                    records: format.number(latest.treeSize),
                    time: format.dateTime(latest.signedAt),
                  })}
                </Text>
                <Text size="xs" c="dimmed">
                  {t('audit.seal.rootHash')}
                </Text>
                <Code dir="ltr" style={{ wordBreak: 'break-all', whiteSpace: 'normal', textAlign: 'left' }}>
                  {latest.rootHash}
                </Code>
                <Text size="xs" c="dimmed">
                  {t('audit.seal.signedWith')}{' '}
                  <bdi translate="no" style={{ fontFamily: 'monospace' }}>
                    {latest.keyId.slice(0, 16)}
                  </bdi>
                </Text>
              </>
            ) : (
              <Text size="sm">{head.isPending ? t('common.loading') : t('audit.seal.noHead')}</Text>
            )}
          </Stack>
          <Stack gap={2}>
            <Text size="xs" c="dimmed">
              {t('audit.seal.lastCheck')}
            </Text>
            {result ? (
              <>
                <Text size="sm">
                  {t(result.mode === 'full' ? 'audit.seal.checkedFull' : 'audit.seal.checkedSince', {
                    checked: format.number(result.checkedRecords),
                    records: format.number(result.records),
                    seconds: format.number(result.seconds),
                  })}
                </Text>
                {result.pending > 0 && (
                  <Text size="xs" c="dimmed">
                    {t('audit.seal.pending', { count: result.pending, formatted: format.number(result.pending) })}
                  </Text>
                )}
              </>
            ) : (
              <Text size="sm">{verify.isPending ? t('audit.seal.checking') : '—'}</Text>
            )}
          </Stack>
        </SimpleGrid>

        {result?.status === 'broken' && result.firstBad && (
          <Alert color="red" title={t('audit.seal.brokenTitle')} role="alert" data-testid="audit-seal-first-bad">
            <Stack gap={4}>
              <Text size="sm" fw={600}>
                {result.firstBad.seq !== null || result.firstBad.id !== null
                  ? t('audit.seal.firstBadRecord', {
                      id: result.firstBad.id === null ? '—' : format.number(result.firstBad.id),
                      place: result.firstBad.seq === null ? '—' : format.number(result.firstBad.seq),
                    })
                  : t('audit.seal.firstBadOther')}
              </Text>
              <Text size="sm">{findingText(result.firstBad)}</Text>
              {result.findings.length > 1 && (
                <List size="xs" spacing={2}>
                  {result.findings
                    .filter(
                      (finding) => finding !== result.firstBad && findingText(finding) !== findingText(result.firstBad as AuditFinding),
                    )
                    .map((finding) => (
                      <List.Item key={`${finding.code}-${finding.seq}-${finding.treeSize}`}>{findingText(finding)}</List.Item>
                    ))}
                </List>
              )}
            </Stack>
          </Alert>
        )}
        <ProblemAlert error={verify.error ?? head.error} />

        <Group gap="xs">
          <Button
            variant="outline"
            size="sm"
            onClick={() => verify.mutate('since')}
            loading={running === 'since'}
            disabled={verify.isPending}
            data-testid="audit-verify-since"
          >
            {t('audit.seal.verifySince')}
          </Button>
          <Button
            variant="light"
            size="sm"
            onClick={() => verify.mutate('full')}
            loading={running === 'full'}
            disabled={verify.isPending}
            data-testid="audit-verify"
          >
            {t('audit.seal.verifyFull')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
