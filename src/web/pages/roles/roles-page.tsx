import { Badge, Button, Card, Code, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { roleName, useRoles } from '../../http/lookups';
import type { Role } from '../../http/types';
import { permissionLabel } from './permission-label';
import { RoleFormModal } from './role-form-modal';
import { SeparationOfDuties } from './separation-of-duties';

export function RolesPage() {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const canManage = can('roles.manage');
  const roles = useRoles();
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const language = i18n.resolvedLanguage ?? 'en';
  const descriptions = new Map(roles.data?.permissions.map((p) => [p.key, p.description]));

  return (
    <>
      <PageHeader title={t('roles.title')}>
        {canManage && (
          <Button onClick={() => setEditing('new')} data-testid="role-create">
            {t('roles.create')}
          </Button>
        )}
      </PageHeader>
      {can('funding.read') && <SeparationOfDuties canManage={canManage} />}
      <QueryState isPending={roles.isPending} error={roles.error}>
        <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
          {roles.data?.items.map((role) => (
            <Card key={role.key} withBorder padding="md" data-testid={`role-${role.key}`}>
              <Stack gap="xs">
                <Group justify="space-between" wrap="nowrap" align="flex-start">
                  <div>
                    <Title order={3} size="h4">
                      {roleName(role, language)}
                    </Title>
                    <Code>{role.key}</Code>
                  </div>
                  <Group gap={4} wrap="nowrap">
                    {role.builtin && (
                      <Badge variant="light" color="gray">
                        {t('roles.builtin')}
                      </Badge>
                    )}
                    {canManage && (
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => setEditing(role)}
                        aria-label={t('roles.editNamed', { name: roleName(role, language) })}
                      >
                        {t('common.edit')}
                      </Button>
                    )}
                  </Group>
                </Group>
                {role.description && (
                  <Text size="sm" c="dimmed">
                    {language === 'en' ? role.description : t(`roleDescriptions.${role.key}`, { defaultValue: role.description })}
                  </Text>
                )}
                <Text size="sm" fw={500}>
                  {t('roles.permissions')}
                </Text>
                {role.permissions.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    {t('roles.noPermissions')}
                  </Text>
                ) : (
                  <Stack gap={2} component="ul" m={0} ps="md">
                    {role.permissions.map((key) => (
                      <Text key={key} component="li" size="sm">
                        {permissionLabel(key, descriptions.get(key))}{' '}
                        <Text span size="xs" c="dimmed">
                          <bdi translate="no">({key})</bdi>
                        </Text>
                      </Text>
                    ))}
                  </Stack>
                )}
              </Stack>
            </Card>
          ))}
        </SimpleGrid>
      </QueryState>
      {editing && roles.data && (
        <RoleFormModal role={editing === 'new' ? null : editing} permissions={roles.data.permissions} onClose={() => setEditing(null)} />
      )}
    </>
  );
}
