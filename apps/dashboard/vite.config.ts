import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

// The cloud serves the built files under /admin (apps/cloud/src/dashboard). `npm run dev -w @stash-sense/dashboard`
// proxies the API to a cloud on CLOUD_URL (default http://127.0.0.1:8080).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  plugins: [react()],
  resolve: {
    // The contracts are TypeScript sources in this monorepo ("source" export condition): the same zod schemas as
    // the server, bundled into the dashboard.
    conditions: ['source', ...defaultClientConditions],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/v1': process.env.CLOUD_URL ?? 'http://127.0.0.1:8080' },
  },
});
