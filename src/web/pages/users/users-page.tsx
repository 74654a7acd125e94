import { Badge, Button, Group, Select, Table, Text, TextInput, useMantineTheme, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { NoResultsRow } from '../../components/no-results-row';
import { OrganisationName } from '../../components/organisation-name';
import { PageHeader } from '../../components/page-header';
import { Pager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { useOrganisationOptions, useRoleOptions } from '../../http/lookups';
import { userQueries } from '../../http/queries/access';
import { useFormat } from '../../i18n/format';
import { UserActions } from './user-actions';
import { UserCreateModal } from './user-create-modal';

const PAGE_SIZE = 25;

/** An address that may wrap after its @ when the column is narrow, rather than widen the table. */
function EmailAddress({ email }: { email: string }) {
  const at = email.lastIndexOf('@');
  if (at <= 0) return <>{email}</>;
  return (
    <>
      {email.slice(0, at + 1)}
      <wbr />
      {email.slice(at + 1)}
    </>
  );
}

export function UsersPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const { can } = useSession();
  const canManage = can('users.manage');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [organisationId, setOrganisationId] = useState<string | null>(null);
  const [role, setRole] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const organisations = useOrganisationOptions();
  const roles = useRoleOptions();
  const theme = useMantineTheme();
  // Below the small breakpoint (phones) the table has two columns: the user, and the actions.
  const compact = useMediaQuery(`(width < ${theme.breakpoints.sm})`, false, { getInitialValueInEffect: false });

  const params = { q, organisationId, role, status, page, pageSize: PAGE_SIZE };
  const query = useQuery({ ...userQueries.page(params), placeholderData: keepPreviousData });

  const filterChanged =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setPage(1);
    };

  return (
    <>
      <PageHeader title={t('users.title')}>
        {canManage && (
          <Button onClick={() => setCreating(true)} data-testid="user-create">
            {t('users.create')}
          </Button>
        )}
      </PageHeader>
      <Group mb="md" align="flex-end">
        <TextInput
          label={t('common.search')}
          placeholder={t('users.searchPlaceholder')}
          type="search"
          value={search}
          onChange={(e) => filterChanged(setSearch)(e.currentTarget.value)}
          w={{ base: '100%', sm: 240 }}
        />
        {can('organisations.read') && (
          <Select
            label={t('users.organisation')}
            placeholder={t('common.any')}
            data={organisations.options}
            value={organisationId}
            onChange={filterChanged(setOrganisationId)}
            searchable
            clearable
            w={{ base: '100%', sm: 240 }}
          />
        )}
        {can('roles.read') && (
          <Select
            label={t('users.role')}
            placeholder={t('common.any')}
            data={roles.options}
            value={role}
            onChange={filterChanged(setRole)}
            clearable
            w={{ base: '100%', sm: 220 }}
          />
        )}
        <Select
          label={t('users.status')}
          placeholder={t('common.any')}
          data={[
            { value: 'active', label: t('users.active') },
            { value: 'disabled', label: t('users.disabled') },
          ]}
          value={status}
          onChange={filterChanged(setStatus)}
          clearable
          w={{ base: '100%', sm: 160 }}
        />
      </Group>
      <QueryState isPending={query.isPending} error={query.error}>
        <Table.ScrollContainer minWidth={compact ? 0 : 760}>
          <Table striped highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('users.name')}</Table.Th>
                {!compact && (
                  <>
                    <Table.Th>{t('users.organisation')}</Table.Th>
                    <Table.Th>{t('users.roles')}</Table.Th>
                    <Table.Th>{t('users.status')}</Table.Th>
                    <Table.Th>{t('users.totp')}</Table.Th>
                    <Table.Th>{t('common.created')}</Table.Th>
                  </>
                )}
                {canManage && (
                  <Table.Th w={1}>
                    <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data?.items.map((user) => {
                const roleBadges = user.roles.map((key) => (
                  <Badge key={key} variant="light" size="sm">
                    {roles.labelOf(key)}
                  </Badge>
                ));
                const statusBadge = (
                  <Badge color={user.disabled ? 'red' : 'teal'} variant="light">
                    {user.disabled ? t('users.disabled') : t('users.active')}
                  </Badge>
                );
                const nameAndEmail = (
                  <>
                    <Text size="sm" fw={500} translate="no">
                      {user.name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      <bdi translate="no">
                        <EmailAddress email={user.email} />
                      </bdi>
                    </Text>
                  </>
                );
                return (
                  <Table.Tr key={user.id} data-testid={`user-row-${user.email}`}>
                    {compact ? (
                      // On a phone everything about the user sits in one cell, beside the actions.
                      <Table.Td>
                        {nameAndEmail}
                        <Text size="sm" mt={4}>
                          <OrganisationName organisation={user.organisation} />
                        </Text>
                        <Group gap={4} mt={4}>
                          {statusBadge}
                          {roleBadges}
                        </Group>
                        <Text size="xs" c="dimmed" mt={4}>
                          {t('users.totp')}: {user.totpEnabled ? t('common.yes') : t('common.no')} · {t('common.created')}:{' '}
                          {format.date(user.createdAt)}
                        </Text>
                      </Table.Td>
                    ) : (
                      <>
                        <Table.Td>{nameAndEmail}</Table.Td>
                        <Table.Td>
                          <OrganisationName organisation={user.organisation} />
                        </Table.Td>
                        <Table.Td>
                          <Group gap={4}>{roleBadges}</Group>
                        </Table.Td>
                        <Table.Td>{statusBadge}</Table.Td>
                        <Table.Td>{user.totpEnabled ? t('common.yes') : t('common.no')}</Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.date(user.createdAt)}</Table.Td>
                      </>
                    )}
                    {canManage && (
                      <Table.Td style={compact ? { verticalAlign: 'top' } : undefined}>
                        <UserActions user={user} />
                      </Table.Td>
                    )}
                  </Table.Tr>
                );
              })}
              {query.data?.items.length === 0 && <NoResultsRow colSpan={(compact ? 1 : 6) + (canManage ? 1 : 0)} hint="users" />}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {query.data && <Pager page={page} pageSize={PAGE_SIZE} total={query.data.total} onChange={setPage} />}
      </QueryState>
      {creating && <UserCreateModal onClose={() => setCreating(false)} />}
    </>
  );
}
