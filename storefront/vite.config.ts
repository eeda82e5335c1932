/**
 * Builds the storefront into storefront/dist, which the gateway serves with an SPA fallback on
 * the same origin as the API. The dev server proxies the API, the WebSocket and the media route
 * to a running `npm start` (port 3000), so cookies stay same-origin in both modes.
 */
import { fileURLToPath } from 'node:url';
import UnoCSS from 'unocss/vite';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import solid from 'vite-plugin-solid';
import { checkShortClassNames, cssRenamer, planShortClassNames, readStorefrontSources, shortClassNamesBabelPlugin } from './short-class-names.ts';
import unoConfig from './uno.config.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const sourceDir = fileURLToPath(new URL('./src/', import.meta.url));
const gateway = 'http://localhost:3000';

/**
 * Vite wraps every dynamic import (the seller and operator pages) in a helper that first loads
 * the imported chunk's CSS and modulepreload links. Here it has nothing to load: modulePreload is
 * off and UnoCSS writes one stylesheet, which index.html loads. Its remaining 0.7 KiB gzipped was
 * the wrapper itself and a `vite:preloadError` event that nothing here listens for, so the helper
 * is served as a plain import. Should a lazy chunk ever bring CSS of its own, the build fails
 * instead of shipping a page without its styles.
 */
function importsWithoutPreloadHelper(): Plugin {
  const helperId = '\0vite/preload-helper.js';
  return {
    name: 'bazaary:imports-without-preload-helper',
    apply: 'build',
    enforce: 'pre',
    resolveId: (id) => (id === helperId ? id : undefined),
    load: (id) => (id === helperId ? 'export const __vitePreload = (load) => load();' : undefined),
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === 'chunk' && !chunk.isEntry && (chunk.viteMetadata?.importedCss.size ?? 0) > 0) {
          this.error(`${chunk.fileName} imports CSS, which a lazy chunk needs Vite's preload helper to load; remove importsWithoutPreloadHelper from storefront/vite.config.ts`);
        }
      }
    },
  };
}

export default defineConfig(({ command }) => {
  // Short class names in the build only, the design-language shortcuts kept (short-class-names.ts).
  const shortNames = command === 'build' ? planShortClassNames(readStorefrontSources(root), new Set(Object.keys(unoConfig.shortcuts ?? {}))) : new Map<string, string>();
  return {
    root,
    plugins: [
      importsWithoutPreloadHelper(),
      UnoCSS({
        configFile: fileURLToPath(new URL('./uno.config.ts', import.meta.url)),
        processors: [{ name: 'bazaary:short-class-names', process: cssRenamer(shortNames) }],
      }),
      solid({
        // Closing tags the HTML parser infers (e.g. `</span></div>` at the end of a template) are
        // left out of the JSX templates: 0.08 KiB gzipped, with the same DOM.
        solid: { omitNestedClosingTags: true },
        babel: (_source, id) => (id.startsWith(sourceDir) ? { plugins: [shortClassNamesBabelPlugin(shortNames)] } : {}),
      }),
      checkShortClassNames(shortNames),
    ],
    build: {
      outDir: fileURLToPath(new URL('./dist', import.meta.url)),
      emptyOutDir: true,
      assetsDir: 'assets',
      target: 'es2022',
      // No modulepreload hints for the lazy seller/admin chunks: all they import (the entry chunk) is
      // already loaded by then, so the hints and their dependency map bought nothing and cost every
      // visitor 0.11 KiB gzipped of the 60 KiB budget (storefront/check-bundle.mjs). No polyfill
      // either: browsers without modulepreload (Safari before 17, Firefox before 115) lose nothing.
      modulePreload: false,
      // No separate vendor chunk for Solid and the router: the budget counts every visitor's bytes,
      // and one entry chunk is 0.9 KiB gzipped smaller than entry plus vendor (no cross-chunk
      // import/export lists, one gzip stream). What it costs: a deploy that changes only the app
      // also makes returning visitors fetch Solid and the router again (about 17 KiB gzipped).
    },
    server: {
      proxy: {
        '/api': gateway,
        '/media': gateway,
        '/ws': { target: gateway, ws: true },
      },
    },
  };
});
