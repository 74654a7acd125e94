import { Alert, Button, Stack } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../../components/problem-alert';
import { api } from '../../http/api-client';
import type { AuditVerification } from '../../http/types';
import { useFormat } from '../../i18n/format';

/** Re-computes the hash chain on the server; a run over a long trail can take a while. */
export function AuditVerify() {
  const { t } = useTranslation();
  const format = useFormat();
  const verify = useMutation({
    mutationFn: () => api.get<AuditVerification>('/api/audit/verify'),
  });
  const result = verify.data;

  return (
    <Stack gap="sm" mb="md">
      <div>
        <Button variant="outline" onClick={() => verify.mutate()} loading={verify.isPending} data-testid="audit-verify">
          {t('audit.verify')}
        </Button>
      </div>
      <ProblemAlert error={verify.error} />
      {result?.status === 'intact' && (
        <Alert color="teal" title={t('audit.intactTitle')} role="status" data-testid="audit-verify-result">
          {t('audit.intactBody', { rows: format.number(result.rows) })}
        </Alert>
      )}
      {result?.status === 'broken' && (
        <Alert color="red" title={t('audit.brokenTitle')} role="alert" data-testid="audit-verify-result">
          {t('audit.brokenBody', {
            rows: format.number(result.rows),
            id: result.firstBrokenId,
            reason: result.reason,
          })}
        </Alert>
      )}
    </Stack>
  );
}
