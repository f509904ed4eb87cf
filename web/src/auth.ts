// The API key lives in sessionStorage: it survives reloads of this tab and is
// gone when the tab closes. `dprkwatch run` prints a link with the key in the
// URL fragment (#key=...), which the browser never sends to the server; we
// take it from there once and remove it from the address bar.

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
