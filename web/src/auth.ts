// The API key lives in sessionStorage: it survives reloads of this tab and is
// gone when the tab closes. `dprkwatch run` prints, to a terminal only, a
// one-time sign-in link (#login=...); the page spends that token once for an
// expiring key (POST /session). `dprkwatch web key` prints a link with a key
// (#key=...). Either sits in the URL fragment, which the browser never sends
// to the server; we take it from there once and remove it from the address bar.

const STORAGE = "dprkwatch.key";

export function currentKey(): string | null {
  return sessionStorage.getItem(STORAGE);
}

export function saveKey(key: string): void {
  sessionStorage.setItem(STORAGE, key.trim());
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE);
}

/** Move a key given as `#key=...` into storage; returns true when there was one. */
export function adoptKeyFromFragment(): boolean {
  const match = /^#key=([^&]+)$/.exec(window.location.hash);
  if (!match) return false;
  saveKey(decodeURIComponent(match[1]));
  history.replaceState(null, "", window.location.pathname + "#/screen");
  return true;
}

/** Spend a one-time `#login=...` token for a session key; resolves to a problem to show, or null. */
export async function adoptLoginFromFragment(): Promise<string | null> {
  const match = /^#login=([^&]+)$/.exec(window.location.hash);
  if (!match) return null;
  history.replaceState(null, "", window.location.pathname + "#/screen");
  try {
    const response = await fetch("/session", {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ token: decodeURIComponent(match[1]) }),
      credentials: "omit",
    });
    const data = (await response.json().catch(() => null)) as { key?: string; detail?: string } | null;
    if (response.ok && data?.key) {
      saveKey(data.key);
      return null;
    }
    return data?.detail ?? `the sign-in link was refused (${response.status})`;
  } catch {
    return "the service did not answer (is it still running?)";
  }
}
