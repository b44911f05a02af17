// Sign in with a token (issued by an admin: `outpost-server token issue <user>`).

import * as api from "../api.js";
import { signedIn } from "../app.js";
import { h, clear, errorBox } from "../ui.js";

export async function view(root, _params, query, ctx) {
  const input = h("input", {
    type: "password",
    name: "token",
    autocomplete: "off",
    required: true,
    "data-testid": "signin-token",
    placeholder: "paste your token",
  });
  const msg = h("div", { "data-testid": "signin-message" });
  const button = h("button", { type: "submit", "data-testid": "signin-submit" }, "Sign in");
  const form = h(
    "form",
    {
      class: "card narrow",
      "data-testid": "signin-form",
      onsubmit: async (ev) => {
        ev.preventDefault();
        button.disabled = true;
        clear(msg, h("p", { class: "loading" }, "Signing in…"));
        api.setToken(input.value.trim());
        try {
          await signedIn();
          const next = query.get("next");
          ctx.navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/accounts", { replace: true });
        } catch (e) {
          api.setToken(null);
          clear(msg, errorBox(e.status === 401 ? { code: e.code, message: "That token is not valid (or was revoked)." } : e));
          button.disabled = false;
        }
      },
    },
    h("h1", {}, "Sign in to Outpost"),
    h("label", {}, "Token", input),
    h("p", { class: "muted" }, "Ask an admin for a token. It is kept only in this browser tab until you sign out or close it."),
    button,
    msg,
  );
  root.append(form);
  input.focus();
}
