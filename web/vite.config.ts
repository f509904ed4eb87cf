// Builds the workbench into the Python package, where the service serves it.
// Every dependency is bundled: the built page loads nothing from elsewhere.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "../src/dprkwatch/web/static",
    emptyOutDir: true,
    assetsDir: "assets",
    // Files, never data: URLs, so that the page's CSP can stay strict.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 800,
  },
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
});
