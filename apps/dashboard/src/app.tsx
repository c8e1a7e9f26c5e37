import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { type ReactNode } from 'react';
import { SessionProvider, useSession } from './api/session';
import { Layout } from './components/layout';
import { NoticeProvider } from './components/notices';
import { AuditPage } from './pages/audit-page';
import { ContributorPage } from './pages/contributor-page';
import { ContributorsPage } from './pages/contributors-page';
import { IndexesPage } from './pages/indexes-page';
import { LinksPage } from './pages/links-page';
import { LoginPage } from './pages/login-page';
import { ModerationItemPage } from './pages/moderation-item-page';
import { ModerationPage } from './pages/moderation-page';
import { OverviewPage } from './pages/overview-page';
import { PerformerPage } from './pages/performer-page';
import { PerformersPage } from './pages/performers-page';

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
