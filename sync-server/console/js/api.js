// Talks to the server's REST API (/api). The token lives in sessionStorage:
// it is gone when the tab closes, and never leaves this origin.

const TOKEN_KEY = "outpost.token";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An error answered by the API: `{code, message, field}` plus the status. */
export class ApiError extends Error {
  constructor(status, body) {
    const b = body && typeof body === "object" ? body : {};
    super(b.message || `request failed (HTTP ${status})`);
    this.status = status;
    this.code = b.code || (status === 0 ? "network" : "http_" + status);
    this.field = b.field || null;
  }
}

let onUnauthorized = () => {};
/** Called with no arguments whenever the API answers 401. */
export function setUnauthorizedHandler(f) {
  onUnauthorized = f;
}

function url(path, query) {
  const u = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== "") u.searchParams.set(k, v);
  }
  return u.pathname + u.search;
}

/**
 * One request. `body` is sent as JSON unless it is a string (sent as text/csv).
 * Resolves to the parsed JSON (or null for 204), rejects with ApiError.
 */
export async function request(method, path, { query, body, raw } = {}) {
  const headers = {};
  const t = token();
  if (t) headers["Authorization"] = "Bearer " + t;
  let payload;
  if (typeof body === "string") {
    headers["Content-Type"] = "text/csv";
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(url(path, query), { method, headers, body: payload });
  } catch (e) {
    throw new ApiError(0, { message: "the server cannot be reached" });
  }
  if (resp.status === 401) onUnauthorized();
  if (!resp.ok) {
    let b = null;
    try {
      b = await resp.json();
    } catch (_) {
      /* not JSON: keep the status */
    }
    throw new ApiError(resp.status, b);
  }
  if (raw) return resp;
  if (resp.status === 204) return null;
  const text = await resp.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path, query) => request("GET", path, { query });
export const post = (path, body, query) => request("POST", path, { body, query });
export const patch = (path, body) => request("PATCH", path, { body });
export const del = (path) => request("DELETE", path);

/** A list endpoint: `{items,total,limit,offset}` (a bare array is accepted too). */
export async function list(path, query) {
  const r = await get(path, query);
  if (Array.isArray(r)) return { items: r, total: r.length, limit: r.length, offset: 0 };
  return r;
}

/** Downloads `GET /api/export/{list}.csv` with the list's filters as a file. */
export async function downloadCsv(listName, query) {
  const resp = await request("GET", `/api/export/${listName}.csv`, { query, raw: true });
  const blob = await resp.blob();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `${listName}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

export const enc = encodeURIComponent;
