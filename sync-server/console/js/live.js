// Live updates: Server-Sent Events from /api/events. Each `changed` event
// names an account whose document changed (a phone, another office user, an
// import); the view on screen decides what to reload.

import { token } from "./api.js";

let source = null;
const listeners = new Set();

/** Calls `f(accountId)` for every change until the returned function is called. */
export function onChanged(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}

function setState(state) {
  const el = document.querySelector('[data-testid="live-status"]');
  if (!el) return;
  el.dataset.state = state;
  el.textContent = state === "on" ? "live" : state === "connecting" ? "connecting…" : "offline";
}

export function start() {
  stop();
  const t = token();
  if (!t || !window.EventSource) return;
  setState("connecting");
  // EventSource cannot send headers: the API takes the token as a query parameter
  source = new EventSource("/api/events?token=" + encodeURIComponent(t));
  source.addEventListener("open", () => setState("on"));
  // the browser retries by itself; CLOSED (2) means it gave up (e.g. the token was revoked)
  source.addEventListener("error", () => setState(!source ? "off" : ["connecting", "on", "off"][source.readyState]));
  source.addEventListener("ready", () => setState("on"));
  source.addEventListener("changed", (ev) => {
    let account = null;
    try {
      account = JSON.parse(ev.data).account;
    } catch (_) {
      return;
    }
    for (const f of [...listeners]) {
      try {
        f(account);
      } catch (e) {
        console.error("live listener", e);
      }
    }
  });
}

export function stop() {
  if (source) source.close();
  source = null;
  setState("off");
}
