import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { lazy, type ReactNode } from 'react';
import { SessionProvider, useSession } from './api/session';
import { Layout } from './components/layout';
import { NoticeProvider } from './components/notices';
import { LoginPage } from './pages/login-page';

// Each page is its own chunk (the charts library loads with the pages that draw charts).
const AuditPage = lazy(() => import('./pages/audit-page').then((m) => ({ default: m.AuditPage })));
const ContributorPage = lazy(() =>
  import('./pages/contributor-page').then((m) => ({ default: m.ContributorPage })),
);
const ContributorsPage = lazy(() =>
  import('./pages/contributors-page').then((m) => ({ default: m.ContributorsPage })),
);
const IndexesPage = lazy(() => import('./pages/indexes-page').then((m) => ({ default: m.IndexesPage })));
const LinksPage = lazy(() => import('./pages/links-page').then((m) => ({ default: m.LinksPage })));
const ModerationItemPage = lazy(() =>
  import('./pages/moderation-item-page').then((m) => ({ default: m.ModerationItemPage })),
);
const ModerationPage = lazy(() =>
  import('./pages/moderation-page').then((m) => ({ default: m.ModerationPage })),
);
const OverviewPage = lazy(() => import('./pages/overview-page').then((m) => ({ default: m.OverviewPage })));
const PerformerPage = lazy(() =>
  import('./pages/performer-page').then((m) => ({ default: m.PerformerPage })),
);
const PerformersPage = lazy(() =>
  import('./pages/performers-page').then((m) => ({ default: m.PerformersPage })),
);

function RequireSession({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

export function App() {
  return (
    <BrowserRouter basename="/admin">
      <SessionProvider>
        <NoticeProvider>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route
              element={
                <RequireSession>
                  <Layout />
                </RequireSession>
              }
            >
              <Route index element={<OverviewPage />} />
              <Route path="moderation" element={<ModerationPage />} />
              <Route path="moderation/:id" element={<ModerationItemPage />} />
              <Route path="links" element={<LinksPage />} />
              <Route path="performers" element={<PerformersPage />} />
              <Route path="performers/:id" element={<PerformerPage />} />
              <Route path="contributors" element={<ContributorsPage />} />
              <Route path="contributors/:id" element={<ContributorPage />} />
              <Route path="indexes" element={<IndexesPage />} />
              <Route path="audit" element={<AuditPage />} />
              <Route path="*" element={<p role="status">No such page.</p>} />
            </Route>
          </Routes>
        </NoticeProvider>
      </SessionProvider>
    </BrowserRouter>
  );
}
