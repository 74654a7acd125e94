import { Avatar, Group, Menu, Text, UnstyledButton } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useSession } from '../auth/session';
import { OrganisationName } from '../components/organisation-name';
import { notifyError } from '../components/problems';

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');
}

export function UserMenu() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { me, signOut } = useSession();
  if (!me) return null;

  // Once the session is gone the router shows the sign-in page by itself.
  const onSignOut = () => {
    signOut().catch(notifyError);
  };

  return (
    <Menu position="bottom-end" width={240} withinPortal>
      <Menu.Target>
        <UnstyledButton data-testid="user-menu" aria-label={t('shell.userMenu', { name: me.name })}>
          <Group gap="xs" wrap="nowrap">
            <Avatar size="sm" color="blue" radius="xl" aria-hidden>
              {initials(me.name)}
            </Avatar>
            <Text size="sm" fw={500} visibleFrom="sm" truncate maw={160} translate="no">
              {me.name}
            </Text>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="sm" truncate translate="no">
            {me.email}
          </Text>
          <Text size="xs" c="dimmed" truncate>
            <OrganisationName organisation={me.organisation} />
          </Text>
        </Menu.Label>
        <Menu.Divider />
        <Menu.Item onClick={() => navigate('/account')} data-testid="menu-account">
          {t('nav.account')}
        </Menu.Item>
        <Menu.Item color="red" onClick={onSignOut} data-testid="sign-out">
          {t('auth.signOut')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
