import { Button, Center, Loader, Stack } from '@mantine/core';
import { lazy, type ReactNode, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from './auth/session';
import { ProblemAlert } from './components/problem-alert';
import { AccountPage } from './pages/account/account-page';
import ClaimPage from './pages/claims/claim-page';
import ClaimsPage from './pages/claims/claims-page';
import ConditionPage from './pages/conditions/condition-page';
import ConditionsPage from './pages/conditions/conditions-page';
import { NotFoundPage, NotPermittedPage } from './pages/not-found-page';
import { OrganisationsPage } from './pages/organisations/organisations-page';
import { RolesPage } from './pages/roles/roles-page';
import { SignInPage } from './pages/sign-in/sign-in-page';
import StakeholderPage from './pages/stakeholders/stakeholder-page';
import StakeholdersPage from './pages/stakeholders/stakeholders-page';
import { UsersPage } from './pages/users/users-page';
import { AppLayout } from './shell/app-layout';
import { allowedNavItems } from './shell/nav-items';

// MapLibre is large; only people who open the map download it.
const MapPage = lazy(() => import('./pages/map/map-page'));
// The audit page brings the date pickers, which nothing else needs.
const AuditPage = lazy(() => import('./pages/audit/audit-page'));
const SecurityPage = lazy(() => import('./pages/security/security-page'));
// React Flow and dagre are needed only by the requirements graph.
const GraphPage = lazy(() => import('./pages/conditions/graph-page'));
const FundingOverviewPage = lazy(() => import('./pages/funding/funding-overview-page'));
const FundingFlowPage = lazy(() => import('./pages/funding/funding-flow-page'));
const PledgesPage = lazy(() => import('./pages/funding/pledges-page'));
const PledgePage = lazy(() => import('./pages/funding/pledge-page'));
const LedgerPage = lazy(() => import('./pages/funding/ledger-page'));
const ImportsPage = lazy(() => import('./pages/funding/imports-page'));
// Open to everyone, signed in or not.
const TransparencyPage = lazy(() => import('./pages/funding/transparency-page'));

const FUNDING_PAGES = [
  { path: 'funding', Page: FundingOverviewPage },
  { path: 'funding/flow', Page: FundingFlowPage },
  { path: 'funding/pledges', Page: PledgesPage },
  { path: 'funding/pledges/:id', Page: PledgePage },
  { path: 'funding/ledger', Page: LedgerPage },
  { path: 'funding/imports', Page: ImportsPage },
];

const transparency = (
  <Suspense fallback={<FullPageLoader />}>
    <TransparencyPage />
  </Suspense>
);

function FullPageLoader() {
  const { t } = useTranslation();
  return (
    <Center h="100dvh">
      <Loader aria-label={t('common.loading')} />
    </Center>
  );
}

function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  const { can } = useSession();
  return can(permission) ? children : <NotPermittedPage />;
}

function HomeRedirect() {
  const { can } = useSession();
  const first = allowedNavItems(can)[0];
  return <Navigate to={first?.path ?? '/account'} replace />;
}

/** A user whose organisation demands a second factor may only reach the account page. */
function RequireEnrolment({ children }: { children: ReactNode }) {
  const { me } = useSession();
  const location = useLocation();
  if (me?.mustEnrolTotp && location.pathname !== '/account') {
    return <Navigate to="/account" replace />;
  }
  return children;
}

function SignedInRoutes() {
  const location = useLocation();
  const next = new URLSearchParams(location.search).get('next');
  return (
    <Routes>
      <Route path="/sign-in" element={<Navigate to={next?.startsWith('/') ? next : '/'} replace />} />
      <Route path="/transparency" element={transparency} />
      <Route
        element={
          <RequireEnrolment>
            <AppLayout />
          </RequireEnrolment>
        }
      >
        <Route index element={<HomeRedirect />} />
        <Route
          path="map"
          element={
            <RequirePermission permission="places.read">
              <Suspense fallback={<FullPageLoader />}>
                <MapPage />
              </Suspense>
            </RequirePermission>
          }
        />
        <Route
          path="conditions"
          element={
            <RequirePermission permission="conditions.read">
              <ConditionsPage />
            </RequirePermission>
          }
        />
        <Route
          path="conditions/graph"
          element={
            <RequirePermission permission="conditions.read">
              <Suspense fallback={<FullPageLoader />}>
                <GraphPage />
              </Suspense>
            </RequirePermission>
          }
        />
        <Route
          path="stakeholders"
          element={
            <RequirePermission permission="conditions.read">
              <StakeholdersPage />
            </RequirePermission>
          }
        />
        <Route
          path="stakeholders/:id"
          element={
            <RequirePermission permission="conditions.read">
              <StakeholderPage />
            </RequirePermission>
          }
        />
        <Route
          path="conditions/:id"
          element={
            <RequirePermission permission="conditions.read">
              <ConditionPage />
            </RequirePermission>
          }
        />
        {FUNDING_PAGES.map(({ path, Page }) => (
          <Route
            key={path}
            path={path}
            element={
              <RequirePermission permission="funding.read">
                <Suspense fallback={<FullPageLoader />}>
                  <Page />
                </Suspense>
              </RequirePermission>
            }
          />
        ))}
        <Route
          path="funding/claims"
          element={
            <RequirePermission permission="funding.read">
              <ClaimsPage />
            </RequirePermission>
          }
        />
        <Route
          path="funding/claims/:id"
          element={
            <RequirePermission permission="funding.read">
              <ClaimPage />
            </RequirePermission>
          }
        />
        <Route
          path="organisations"
          element={
            <RequirePermission permission="organisations.read">
              <OrganisationsPage />
            </RequirePermission>
          }
        />
        <Route
          path="users"
          element={
            <RequirePermission permission="users.read">
              <UsersPage />
            </RequirePermission>
          }
        />
        <Route
          path="roles"
          element={
            <RequirePermission permission="roles.read">
              <RolesPage />
            </RequirePermission>
          }
        />
        <Route
          path="audit"
          element={
            <RequirePermission permission="audit.read">
              <Suspense fallback={<FullPageLoader />}>
                <AuditPage />
              </Suspense>
            </RequirePermission>
          }
        />
        <Route
          path="security"
          element={
            <RequirePermission permission="users.manage">
              <Suspense fallback={<FullPageLoader />}>
                <SecurityPage />
              </Suspense>
            </RequirePermission>
          }
        />
        <Route path="account" element={<AccountPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

function SignedOutRoutes() {
  const location = useLocation();
  const { signedOut } = useSession();
  const here = location.pathname + location.search;
  // After signing out, the next person to sign in should not land on the last one's page.
  const next = location.pathname === '/' || signedOut ? '' : `?next=${encodeURIComponent(here)}`;
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/transparency" element={transparency} />
      <Route path="*" element={<Navigate to={`/sign-in${next}`} replace />} />
    </Routes>
  );
}

function SessionGate() {
  const { t } = useTranslation();
  const { me, isLoading, error, retry } = useSession();
  if (isLoading) return <FullPageLoader />;
  if (error) {
    return (
      <Center h="100dvh" p="md">
        <Stack maw={480}>
          <ProblemAlert error={error} />
          <Button onClick={retry}>{t('common.retry')}</Button>
        </Stack>
      </Center>
    );
  }
  return me ? <SignedInRoutes /> : <SignedOutRoutes />;
}

export function App() {
  return (
    <BrowserRouter>
      <SessionGate />
    </BrowserRouter>
  );
}
