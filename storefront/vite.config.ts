/**
 * Builds the storefront into storefront/dist, which the gateway serves with an SPA fallback on
 * the same origin as the API. The dev server proxies the API, the WebSocket and the media route
 * to a running `npm start` (port 3000), so cookies stay same-origin in both modes.
 */
import { fileURLToPath } from 'node:url';
import UnoCSS from 'unocss/vite';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const root = fileURLToPath(new URL('.', import.meta.url));
const gateway = 'http://localhost:3000';

export default defineConfig({
  root,
  plugins: [UnoCSS({ configFile: fileURLToPath(new URL('./uno.config.ts', import.meta.url)) }), solid()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // Every browser that runs es2022 modules but lacks modulepreload (Safari before 17, Firefox
    // before 115) still loads the chunks, one round trip later; the polyfill cost every visitor
    // about 0.1 KiB gzipped of the 60 KiB budget (storefront/check-bundle.mjs).
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        // Solid and the router change less often than the app, so they get their own chunk
        // (and its own cache lifetime), named for what it holds.
        manualChunks: (id: string) => (id.includes('node_modules') ? 'vendor' : undefined),
      },
    },
  },
  server: {
    proxy: {
      '/api': gateway,
      '/media': gateway,
      '/ws': { target: gateway, ws: true },
    },
  },
});
