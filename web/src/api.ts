// Every call to the service goes through here: same origin, with the key.

import { currentKey, forgetKey } from "./auth";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const onUnauthorized: Listener[] = [];

/** Called when the service rejects the key (unknown or revoked): the app asks for another. */
export function whenUnauthorized(fn: Listener): void {
  onUnauthorized.push(fn);
}

export type Params = Record<string, string | number | boolean | string[] | null | undefined>;

export function query(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === "" || v === false) continue;
    if (Array.isArray(v)) v.forEach((item) => q.append(k, item));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** `body` is sent as JSON, or as multipart form data when it is a FormData (file uploads). */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const key = currentKey();
  if (key) headers.Authorization = `ApiKey ${key}`;
  const form = init.body instanceof FormData;
  if (init.body !== undefined && !form) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? "GET",
      headers,
      body: init.body === undefined ? undefined : form ? (init.body as FormData) : JSON.stringify(init.body),
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, "network", "the service did not answer (is it still running?)");
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    // A 422 lists its problems in `detail` (yente's shape) and keeps the line in `message`.
    const body = (data ?? {}) as { detail?: unknown; error?: string; message?: string };
    const line = typeof body.detail === "string" ? body.detail : body.message;
    if (response.status === 401) {
      forgetKey();
      onUnauthorized.forEach((fn) => fn());
    }
    throw new ApiError(response.status, body.error ?? "error", line ?? `${response.status} ${response.statusText}`);
  }
  return data as T;
}
