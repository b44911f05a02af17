"""Seeds a fresh outpost-server with a little data through its own REST API.

Usage: seed.py BASE_URL ADMIN_TOKEN OUT_JSON

Creates a pipeline with three stages, a custom field, a rep (kari, territory
west) with a token, a manager (mona, team west), and two accounts — one in
the rep's territory, one outside it — each with a contact, a deal, an
activity, an order and a case. Writes the tokens and ids to OUT_JSON for the
run script, with the id of a dry-run import job. Only the standard library: it runs before and apart from
schemathesis.
"""

import json
import sys
import urllib.error
import urllib.request


def call(base, token, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return resp.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def must(expected, result, what):
    status, body = result
    if status != expected:
        sys.exit(f"seed: {what}: expected {expected}, got {status}: {body}")
    return body


def main():
    base, admin, out = sys.argv[1], sys.argv[2], sys.argv[3]

    def a(method, path, body=None, expected=200, what=None):
        return must(expected, call(base, admin, method, path, body), what or f"{method} {path}")

    a("POST", "/api/pipelines", {
        "id": "sales",
        "name": "Sales",
        "stages": [
            {"id": "lead", "name": "Lead", "position": 1, "probability": 10, "meaning": "open"},
            {"id": "offer", "name": "Offer", "position": 2, "probability": 50, "meaning": "open"},
            {"id": "won", "name": "Won", "position": 3, "probability": 100, "meaning": "won"},
            {"id": "lost", "name": "Lost", "position": 4, "probability": 0, "meaning": "lost"},
        ],
    }, expected=201)
    a("POST", "/api/custom-fields", {
        "id": "shoe-size", "entity": "contact", "key": "shoe_size", "label": "Shoe size",
        "field_type": "integer",
    }, expected=201)

    a("POST", "/api/admin/users", {"id": "kari", "role": "rep", "team": "west"}, expected=201)
    a("POST", "/api/admin/users/kari/territories/west", expected=204)
    kari = a("POST", "/api/admin/users/kari/tokens", expected=201)["token"]
    a("POST", "/api/admin/users", {"id": "mona", "role": "manager", "team": "west"}, expected=201)
    a("PUT", "/api/admin/users/kari/goals", {"visits_per_week": 10, "won_per_month_minor": 1000000})

    accounts = {}
    for key, name, territory in [("west", "Fjord Fisk AS", "west"), ("east", "Øst Bakeri", "east")]:
        card = a("POST", "/api/accounts", {
            "name": name, "territory": territory, "owner": "kari" if territory == "west" else "mona",
            "lifecycle_stage": "retention", "account_type": "customer", "currency": "EUR",
            "tags": {"vip": True},
            "phones": {"p1": {"number": "+47 912 34 567", "label": "work", "primary": True}},
        }, expected=201)
        doc = card["id"]
        accounts[key] = doc
        r = f"/api/accounts/{doc}"
        a("POST", f"{r}/contacts", {
            "id": f"{key}-contact", "first_name": "Kari", "last_name": "Nordmann", "title": "CEO",
            "emails": {"e1": {"address": f"kari.{key}@example.com", "primary": True}},
            "custom": {"shoe_size": 42},
        }, expected=201)
        a("POST", f"{r}/deals", {
            "id": f"{key}-deal", "name": "Boat engines", "pipeline_id": "sales", "stage_id": "lead",
            "amount_minor": 1250000, "currency": "EUR", "expected_close": "2030-06-30",
        }, expected=201)
        a("POST", f"{r}/deals/{key}-deal/stage", {"stage_id": "offer"})
        a("POST", f"{r}/activities", {
            "id": f"{key}-visit", "kind": "visit", "status": "planned", "subject": "Quarterly visit",
            "start_at": 1900000000000, "owner": "kari",
        }, expected=201)
        a("POST", f"{r}/orders", {
            "id": f"{key}-order", "number": "A-1", "ordered_at": 1700000000000, "total_minor": 9900,
            "currency": "EUR", "payments": {"pay1": {"at": 1700000100000, "amount_minor": 900}},
        }, expected=201)
        a("POST", f"{r}/cases", {
            "id": f"{key}-case", "kind": "complaint", "subject": "Late delivery", "status": "open",
            "opened_at": 1700000200000,
        }, expected=201)
        # a second value of one field, so history has more than one entry
        a("PATCH", f"{r}/contacts/{key}-contact", {"title": "Owner"})
    a("POST", f"/api/admin/users/mona/assignments/{accounts['east']}", expected=204)
    # an import job (a dry run: it writes nothing) for /api/import/{job}
    job = a("POST", "/api/import", {
        "kind": "contacts", "dry_run": True,
        "csv": "First Name,Last Name,Email,Account Name\nAda,Lovelace,ada@example.com,Fjord Fisk AS\n",
    }, expected=202)["job"]

    with open(out, "w", encoding="utf-8") as f:
        json.dump({"rep_token": kari, "accounts": accounts, "job": job}, f)


if __name__ == "__main__":
    main()
