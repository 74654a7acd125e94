import { Button, Code, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { OrganisationName } from '../../components/organisation-name';
import type { AuditEntry } from '../../http/types';
import { useFormat } from '../../i18n/format';

function JsonBlock({ label, value }: { label: string; value: unknown }) {
  const { t } = useTranslation();
  return (
    <Stack gap={4}>
      <Text size="xs" fw={600}>
        {label}
      </Text>
      {value === null || value === undefined ? (
        <Text size="xs" c="dimmed">
          {t('audit.none')}
        </Text>
      ) : (
        <Code block dir="ltr" style={{ maxHeight: 320, overflow: 'auto', textAlign: 'left' }}>
          {JSON.stringify(value, null, 2)}
        </Code>
      )}
    </Stack>
  );
}

export const AUDIT_COLUMNS = 6;

export function AuditRow({ entry }: { entry: AuditEntry }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const [open, setOpen] = useState(false);
  const detailsId = `audit-details-${entry.id}`;
  const actor = entry.actor ? entry.actor.name || entry.actor.email : entry.actorLabel || t('audit.system');
  const typeKey = `audit.entityTypes.${entry.entityType}`;

  return (
    <>
      <Table.Tr data-testid="audit-row">
        <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.dateTime(entry.at)}</Table.Td>
        <Table.Td>
          {/* A person's name as they gave it; a system label is the server's. */}
          <Text size="sm" translate="no">
            {actor}
          </Text>
          {entry.actor && (
            <Text size="xs" c="dimmed">
              <bdi translate="no">{entry.actor.email}</bdi>
            </Text>
          )}
        </Table.Td>
        <Table.Td>{entry.organisation ? <OrganisationName organisation={entry.organisation} /> : '—'}</Table.Td>
        <Table.Td>
          <Code>{entry.action}</Code>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{i18n.exists(typeKey) ? t(typeKey) : <Code>{entry.entityType}</Code>}</Text>
          {entry.entityId && (
            <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
              <bdi translate="no">{entry.entityId}</bdi>
            </Text>
          )}
        </Table.Td>
        <Table.Td>
          <Button size="xs" variant="subtle" onClick={() => setOpen((v) => !v)} aria-expanded={open} aria-controls={detailsId}>
            {open ? t('audit.hideChanges') : t('audit.showChanges')}
          </Button>
        </Table.Td>
      </Table.Tr>
      {open && (
        <Table.Tr id={detailsId}>
          <Table.Td colSpan={AUDIT_COLUMNS}>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <JsonBlock label={t('audit.before')} value={entry.before} />
              <JsonBlock label={t('audit.after')} value={entry.after} />
            </SimpleGrid>
            <Text size="xs" c="dimmed" mt="xs">
              {t('audit.requestId')}: <bdi translate="no">{entry.requestId ?? '—'}</bdi> ·{' '}
              {entry.seq === null ? t('audit.unsealed') : t('audit.place', { place: format.number(entry.seq) })}
              {entry.leafHash && (
                <>
                  {' '}
                  · {t('audit.leafHash')}:{' '}
                  <bdi translate="no" style={{ wordBreak: 'break-all', fontFamily: 'monospace' }}>
                    {entry.leafHash}
                  </bdi>
                </>
              )}
            </Text>
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}
