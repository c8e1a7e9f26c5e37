import { Suspense } from 'react';
import { NavLink, Outlet } from 'react-router';
import { useSession } from '../api/session';

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/moderation', label: 'Moderation queue' },
  { to: '/links', label: 'Identity links' },
  { to: '/performers', label: 'Performers' },
  { to: '/contributors', label: 'Contributors' },
  { to: '/indexes', label: 'Indexes' },
  { to: '/audit', label: 'Audit log' },
] as const;

export function Layout() {
  const { session, logout } = useSession();
  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Stash Sense · moderation</span>
        <nav aria-label="Sections">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={'end' in item}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">
          {session?.user.email} <span className="badge">{session?.user.role}</span>
          <button type="button" className="link-button" onClick={() => void logout()}>
            Log out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {/* Pages are loaded on demand (one chunk each). */}
        <Suspense
          fallback={
            <p className="state" role="status" aria-busy="true">
              Loading…
            </p>
          }
        >
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
