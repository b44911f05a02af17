"""What a rep types is never lost or corrupted, tried the way a mobile team
meets the bindings (issue 12 items 1-4): sub-items without ids, two handles
on one store file, values the schema refuses, and an account revoked while
the phone held an edit the server never got."""

import asyncio
import subprocess
import sys
import textwrap

import pytest

import outpost
from outpost import (
    Account,
    Contact,
    Deal,
    Email,
    LineItem,
    Order,
    OrgSettings,
    OutpostError,
    Phone,
    Pipeline,
    RecordMeta,
    Stage,
    StageMeaning,
)

from helpers import SyncRecorder

TIMEOUT_MS = 60_000


def patch_account(server, doc, body) -> int:
    """PATCH /api/accounts/{doc} as the admin (the office's console does this)."""
    import json
    import urllib.request

    req = urllib.request.Request(
        f"http://127.0.0.1:{server.port}/api/accounts/{doc}",
        data=json.dumps(body).encode(),
        method="PATCH",
        headers={
            "Authorization": "Bearer " + server.env["OUTPOST_ADMIN_TOKEN"],
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status


async def open_device(store_dir, name="phone", user="kari"):
    return await outpost.open_store(str(store_dir / f"{name}.db"), user, outpost.new_id())


def test_sub_items_without_ids_are_each_kept(store_dir):
    async def scenario():
        s = await open_device(store_dir)
        doc = await s.create_account(Account(name="Fjordkraft AS"))
        cid = await s.create_contact(
            doc,
            Contact(
                first_name="Kari",
                phones=[Phone(number="+47 912 34 567"), Phone(number="+47 412 34 567")],
                emails=[Email(address="kari@fjord.example"), Email(address="kari.n@fjord.example")],
            ),
        )
        c = await s.get_contact(doc, cid)
        assert [p.number for p in c.phones] == ["+47 912 34 567", "+47 412 34 567"]
        assert len(c.emails) == 2
        assert len({p.id for p in c.phones}) == 2 and all(p.id for p in c.phones)

        # appending to a contact that was read, then saving it, adds a phone
        first = c.phones[0]
        c.phones.append(Phone(number="+47 999 99 999"))
        await s.update_contact(doc, c)
        again = await s.get_contact(doc, cid)
        assert len(again.phones) == 3
        assert first in again.phones

        # an order's three lines, none with an id
        oid = await s.create_order(
            doc,
            Order(
                currency="NOK",
                lines=[
                    LineItem(description="Pellets", quantity_milli=1000, unit_price_minor=10_000),
                    LineItem(description="Delivery", quantity_milli=1000, unit_price_minor=2_500),
                    LineItem(description="Sack", quantity_milli=1000, unit_price_minor=500),
                ],
            ),
        )
        o = await s.get_order(doc, oid)
        assert sorted(line.description for line in o.lines) == ["Delivery", "Pellets", "Sack"]
        s.close()

    asyncio.run(scenario())


def test_a_second_handle_on_one_store_file_is_refused(store_dir):
    path = str(store_dir / "phone.db")
    device = outpost.new_id()

    async def scenario():
        first = await outpost.open_store(path, "kari", device)
        doc = await first.create_account(Account(name="Nordlys AS"))
        # the same path and device id, as an app extension or a second open would
        with pytest.raises(OutpostError.Locked):
            await outpost.open_store(path, "kari", device)
        # another process (a background worker) is refused too
        child = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(f"""
                import asyncio, sys
                sys.path[:0] = {sys.path!r}
                import outpost
                async def main():
                    try:
                        await outpost.open_store({path!r}, "kari", {device!r})
                    except outpost.OutpostError.Locked:
                        print("LOCKED")
                asyncio.run(main())
            """)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "LOCKED" in child.stdout, child.stdout + child.stderr
        # closed: the file is free again, and nothing was corrupted
        first.close()
        second = await outpost.open_store(path, "kari", device)
        acc = await second.get_account(doc)
        acc.industry = "Energy"
        await second.update_account(doc, acc)
        assert (await second.get_account(doc)).industry == "Energy"
        second.close()

    asyncio.run(scenario())


def test_values_the_schema_refuses_are_invalid_naming_the_field(store_dir):
    async def scenario():
        s = await open_device(store_dir, user="admin")
        settings = await s.create_settings(OrgSettings(default_currency="NOK"))
        stages = [
            Stage(id="lead", name="Lead", position=10, probability=10, meaning=StageMeaning.OPEN),
            Stage(id="won", name="Won", position=20, probability=100, meaning=StageMeaning.WON),
        ]
        await s.create_pipeline(
            settings, Pipeline(meta=RecordMeta(id="sales"), name="Sales", stages=stages)
        )
        doc = await s.create_account(Account(name="Sørlandet AS"))

        def deal(**kw):
            base = dict(name="Pellets", pipeline_id="sales", stage_id="lead", currency="NOK")
            base.update(kw)
            return Deal(**base)

        for bad, field in [
            (deal(probability=200), "probability"),
            (deal(currency="EURO"), "currency"),
            (deal(amount_minor=-5), "amount_minor"),
            (deal(stage_id="nowhere"), "stage_id"),
        ]:
            with pytest.raises(OutpostError.Invalid) as e:
                await s.create_deal(doc, bad)
            assert field in str(e.value), str(e.value)
        did = await s.create_deal(doc, deal())
        with pytest.raises(OutpostError.Invalid) as e:
            await s.move_deal_stage(doc, did, "nowhere")
        assert "stage_id" in str(e.value)

        with pytest.raises(OutpostError.Invalid) as e:
            await s.create_contact(doc, Contact())
        assert "first_name" in str(e.value)
        with pytest.raises(OutpostError.Invalid) as e:
            await s.create_contact(doc, Contact(first_name="Ola", emails=[Email(address="nope")]))
        assert "address" in str(e.value) and "nope" not in str(e.value)
        cid = await s.create_contact(doc, Contact(first_name="Ola"))
        c = await s.get_contact(doc, cid)
        c.birthday = "31/12/1980"
        with pytest.raises(OutpostError.Invalid) as e:
            await s.update_contact(doc, c)
        assert "birthday" in str(e.value)
        # nothing of the refused writes is there
        assert (await s.get_contact(doc, cid)).birthday is None
        assert len(await s.list_deals(doc)) == 1
        s.close()

    asyncio.run(scenario())


def test_an_offline_contact_survives_the_account_being_taken_away(server, store_dir):
    server.add_user("kari")
    token = server.issue_token("kari")

    async def scenario():
        s = await open_device(store_dir)
        events = SyncRecorder()
        s.add_sync_observer(events)
        doc = await s.create_account(Account(name="Nordlys AS"))
        await s.start_sync(server.url, token)
        await s.wait_until_synced(TIMEOUT_MS)

        # offline, the rep types a contact with a phone number
        await s.stop_sync()
        await s.create_contact(
            doc, Contact(first_name="Ingrid", phones=[Phone(number="+47 912 34 567")])
        )
        assert await s.pending_edits() == 1

        # the office gives the account to someone else: she owned it (she
        # created it) and it was assigned to her; neither is true any more
        reply = patch_account(server, doc, {"owner": "admin"})
        assert reply == 200, reply
        server.cli("unassign", "kari", str(doc))
        await s.start_sync(server.url, token)
        deadline = asyncio.get_running_loop().time() + 60
        while not events.saw("document_retained"):
            assert asyncio.get_running_loop().time() < deadline, "no DocumentRetained"
            await asyncio.sleep(0.05)
        retained = next(e for e in events.events if e.is_document_retained())
        assert retained.kept_edits == 1

        # the account is gone from the phone: get_account says None, as typed
        assert await s.get_account(doc) is None
        drafts = await s.drafts(doc)
        assert len(drafts) == 1
        kept = await s.draft_contents(drafts[0].id)
        assert [c.first_name for c in kept.contacts] == ["Ingrid"]
        assert kept.contacts[0].phones[0].number == "+47 912 34 567"
        assert "+47 912 34 567" in await s.draft_export(drafts[0].id)
        await s.stop_sync()
        s.close()

    asyncio.run(scenario())
