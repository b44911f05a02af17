// The console's entry point: sign-in gate, a small history-API router, and
// the live-update subscription. Views live in ./views/, one file per screen.

import * as api from "./api.js";
import * as live from "./live.js";
import { clear, errorBox, markEdited } from "./ui.js";

// [pattern, module path]; `:name` segments become params
const ROUTES = [
  ["/signin", "./views/signin.js"],
  ["/accounts", "./views/accounts.js"],
  ["/accounts/:account", "./views/account.js"],
  ["/accounts/:account/contacts/:contact", "./views/contact.js"],
  ["/pipeline", "./views/pipeline.js"],
  ["/dashboard", "./views/dashboard.js"],
  ["/admin", "./views/admin.js"],
  ["/import", "./views/import.js"],
];

function match(path) {
  const parts = path.split("/").filter(Boolean);
  for (const [pattern, mod] of ROUTES) {
    const p = pattern.split("/").filter(Boolean);
    if (p.length !== parts.length) continue;
    const params = {};
    if (p.every((seg, i) => (seg.startsWith(":") ? ((params[seg.slice(1)] = decodeURIComponent(parts[i])), true) : seg === parts[i]))) {
      return { mod, params };
    }
  }
  return null;
}

let cleanups = [];
// counts renders: a view whose render is no longer the latest is off screen
let generation = 0;
let me = null;

/** What a view gets besides its root element; `mine` is its render's generation. */
function context(mine) {
  // a view that registers after it was replaced is cleaned up at once
  const keep = (f) => (mine === generation ? cleanups.push(f) : f());
  return {
    me,
    navigate,
    // live updates for as long as this view is on screen
    onChanged(f) {
      keep(live.onChanged(f));
    },
    onLeave(f) {
      keep(f);
    },
  };
}

export function navigate(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  render();
}

async function render() {
  for (const f of cleanups) f();
  cleanups = [];
  const mine = ++generation;
  // each render draws into a container of its own, put on screen at once:
  // the previous view's inputs leave the page now (nothing can be typed into
  // a screen that is about to be replaced), and a previous view still
  // loading writes into a container no longer on the page
  const root = document.createElement("div");
  document.getElementById("view").replaceChildren(root);
  let path = location.pathname.replace(/\/+$/, "") || "/";
  if (!api.token() && path !== "/signin") {
    const next = location.pathname + location.search;
    history.replaceState(null, "", "/signin" + (next !== "/" ? "?next=" + encodeURIComponent(next) : ""));
    path = "/signin";
  }
  if (path === "/") {
    history.replaceState(null, "", "/accounts");
    path = "/accounts";
  }
  showChrome(path !== "/signin");
  const found = match(path);
  if (!found) {
    clear(root, errorBox({ code: "not_found", message: "There is no such page in the console." }));
    return;
  }
  for (const a of document.querySelectorAll("header nav a")) {
    a.classList.toggle("active", path.startsWith(a.getAttribute("href")));
  }
  try {
    const mod = await import(found.mod);
    if (mine !== generation) return;
    await mod.view(root, found.params, new URLSearchParams(location.search), context(mine));
  } catch (e) {
    if (mine === generation) clear(root, errorBox(e));
  }
}

function showChrome(on) {
  document.querySelector('[data-testid="topbar"]').hidden = !on;
}

/** Called after a successful sign in (and at start with a stored token). */
export async function signedIn() {
  me = await api.get("/api/me");
  document.querySelector('[data-testid="me"]').textContent = `${me.display_name || me.user_id} (${me.role})`;
  document.body.dataset.role = me.role;
  live.start();
  return me;
}

function signOut() {
  api.setToken(null);
  me = null;
  live.stop();
  navigate("/signin", { replace: true });
}

async function start() {
  api.setUnauthorizedHandler(() => {
    if (location.pathname !== "/signin") signOut();
  });
  document.querySelector('[data-testid="sign-out"]').addEventListener("click", signOut);
  // links marked data-link are routed here, without a reload
  document.addEventListener("click", (ev) => {
    const a = ev.target.closest("a[data-link]");
    if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
    ev.preventDefault();
    navigate(a.getAttribute("href"));
  });
  window.addEventListener("popstate", render);
  // what the user changes is marked, so that a refresh keeps it (ui.js replaceKeeping)
  document.addEventListener("input", markEdited, true);
  document.addEventListener("change", markEdited, true);
  if (api.token()) {
    try {
      await signedIn();
    } catch (_) {
      api.setToken(null);
    }
  }
  render();
}

start();
