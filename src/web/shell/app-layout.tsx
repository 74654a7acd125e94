import { Anchor, AppShell, Badge, Burger, Group, NavLink, ScrollArea, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { Outlet, NavLink as RouterNavLink, useLocation } from 'react-router';
import { useSession } from '../auth/session';
import { useOpenAlertCount } from '../pages/security/security-api';
import { LanguageSwitch } from './language-switch';
import { allowedNavItems } from './nav-items';
import { UserMenu } from './user-menu';
import './app-layout.css';

export function AppLayout() {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();

  const items = me?.mustEnrolTotp ? allowedNavItems(can).filter((item) => item.key === 'account') : allowedNavItems(can);
  // Administrators see at a glance that repeated refusals raised an alert.
  const openAlerts = useOpenAlertCount(!me?.mustEnrolTotp && can('users.manage'));

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? t('shell.closeNavigation') : t('shell.openNavigation')}
              aria-expanded={opened}
            />
            <Title order={1} size="h3">
              {t('app.name')}
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <LanguageSwitch />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('shell.navigation')} className="concord-navbar" mod={{ 'mobile-closed': !opened }}>
        <AppShell.Section grow component={ScrollArea}>
          {items.map((item) => (
            <NavLink
              key={item.key}
              component={RouterNavLink}
              to={item.path}
              label={t(`nav.${item.key}`)}
              rightSection={
                item.key === 'security' && openAlerts > 0 ? (
                  <Badge color="red" size="sm" circle data-testid="nav-security-alerts">
                    {openAlerts}
                  </Badge>
                ) : undefined
              }
              data-testid={`nav-${item.key}`}
              active={location.pathname.startsWith(item.path)}
              // On a phone the navbar covers the page; close it once the user has picked one.
              onClick={close}
            />
          ))}
        </AppShell.Section>
        <AppShell.Section pt="xs">
          <Anchor href="/api/docs" target="_blank" rel="noopener" size="sm" px="sm">
            {t('nav.apiDocs')}
          </Anchor>
          <Text size="xs" c="dimmed" px="sm" mt={4}>
            {t('app.tagline')}
          </Text>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
