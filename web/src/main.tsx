// The workbench shell: key gate, navigation, hash routes (#/screen, #/ledger/pressure...).
// Hash routing keeps the whole app on one URL, so the service serves one page.

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, whenUnauthorized } from "./api";
import { adoptKeyFromFragment, adoptLoginFromFragment, currentKey, forgetKey, saveKey } from "./auth";
import { StaleLists } from "./components";
import { useApi } from "./hooks";
import { AlertsPage } from "./pages/alerts";
import { ArsenalPage } from "./pages/arsenal";
import { LedgerPage } from "./pages/ledger";
import { ListsPage } from "./pages/lists";
import { MaritimePage } from "./pages/maritime";
import { ResolutionPage } from "./pages/resolution";
import { RoadmapPage } from "./pages/roadmap";
import { ScreenPage } from "./pages/screen";
import "./style.css";
import type { ListsResponse } from "./types";

const PAGES = [
  ["screen", "Screen"],
  ["alerts", "Alerts"],
  ["lists", "Lists"],
  ["resolution", "Resolution"],
  ["ledger", "Ledger"],
  ["arsenal", "Arsenal"],
  ["roadmap", "Roadmap"],
  ["maritime", "Maritime"],
] as const;

function route(): string[] {
  const parts = window.location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  return parts.length ? parts : ["screen"];
}

function useRoute(): string[] {
  const [parts, setParts] = useState(route);
  useEffect(() => {
    const onChange = () => setParts(route());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return parts;
}

function KeyForm({ onKey, problem }: { onKey: () => void; problem: string | null }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(problem);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    if (!value.trim()) return;
    setBusy(true);
    saveKey(value);
    try {
      await api("/lists"); // any read the screen role allows
      onKey();
    } catch (err) {
      forgetKey();
      setError(err instanceof ApiError && err.status === 401 ? "That key is unknown or revoked." : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <h1>dprkwatch workbench</h1>
      <form class="panel" onSubmit={submit} aria-label="Sign in with an API key">
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          placeholder="dpk_…"
          required
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <p class="meta">
          <code>make run</code> prints a one-time link that signs you in (in its terminal); <code>dprkwatch web link</code> prints
          another. An administrator can
          issue a key with <code>dprkwatch keys create NAME --role screen --role review</code>. The key stays in this tab only.
        </p>
      </form>
    </main>
  );
}

function App({ initialProblem }: { initialProblem: string | null }) {
  const [signedIn, setSignedIn] = useState(() => currentKey() !== null);
  const [problem, setProblem] = useState<string | null>(initialProblem);
  const [page, sub] = useRoute();
  useEffect(() => {
    whenUnauthorized(() => {
      setProblem("The service no longer accepts this key; give another.");
      setSignedIn(false);
    });
  }, []);

  if (!signedIn) return <KeyForm problem={problem} onKey={() => setSignedIn(true)} />;
  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById("main")?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">dprkwatch</span>
        <nav aria-label="Pages">
          {PAGES.map(([id, label]) => (
            <a key={id} href={`#/${id}`} aria-current={id === page ? "page" : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <button
          type="button"
          class="link"
          onClick={() => {
            forgetKey();
            setProblem(null);
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <StaleBanner />
      <main id="main" tabIndex={-1}>
        {page === "screen" && <ScreenPage />}
        {page === "alerts" && <AlertsPage />}
        {page === "lists" && <ListsPage />}
        {page === "resolution" && <ResolutionPage tab={sub ?? "review"} />}
        {page === "ledger" && <LedgerPage tab={sub ?? "timeline"} />}
        {page === "arsenal" && <ArsenalPage />}
        {page === "roadmap" && <RoadmapPage />}
        {page === "maritime" && <MaritimePage />}
        {!PAGES.some(([id]) => id === page) && <p>No such page. Choose one above.</p>}
      </main>
      <footer>
        Sanctions data: OFAC, UN, EU, UK official lists as imported. Ledger facts cite their sources. Map outlines: Natural Earth via
        world-atlas. Served entirely by this dprkwatch service; the page loads nothing from elsewhere.
      </footer>
    </>
  );
}

function StaleBanner() {
  const lists = useApi<ListsResponse>("/lists");
  return <StaleLists warnings={lists.data?.stale ?? []} />;
}

adoptKeyFromFragment();
// A one-time sign-in link is spent before the first render, so the page opens signed in.
void adoptLoginFromFragment().then((problem) => render(<App initialProblem={problem} />, document.getElementById("app")!));
