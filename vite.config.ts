import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: fromRoot('./src/web'),
  // The web app has no static public folder; everything it needs is imported.
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: fromRoot('./dist/web'),
    emptyOutDir: true,
    sourcemap: true,
    // MapLibre alone is about 1 MB minified; it is loaded only with the map page.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      // CONCORD_API_URL points the dev server at an API on another port.
      '/api': { target: process.env.CONCORD_API_URL ?? 'http://127.0.0.1:8080', changeOrigin: false },
      '/basemap.pmtiles': { target: process.env.CONCORD_API_URL ?? 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
});
