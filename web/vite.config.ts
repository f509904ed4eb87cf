// Builds the workbench into the Python package, where the service serves it.
// Every dependency is bundled: the built page loads nothing from elsewhere.
import { defineConfig } from "vite";

// `npm run dev` serves the pages with reloading and passes API calls to a
// running service (DPRKWATCH_URL, default the one `make run` starts).
const service = process.env.DPRKWATCH_URL ?? "http://127.0.0.1:8000";
const API = ["/match", "/search", "/entities", "/catalog", "/algorithms", "/lists", "/reviews", "/screenings", "/alerts", "/ledger", "/arsenal", "/maritime"];

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
  server: {
    proxy: Object.fromEntries(API.map((prefix) => [prefix, service])),
  },
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
});
