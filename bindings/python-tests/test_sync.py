"""Sync through the bindings against the real outpost-server binary: two
devices of one rep, each a bindings store with its own token; an edit made on
one arrives on the other and the observers hear of it."""

import asyncio

import pytest

import outpost
from outpost import Account, Contact, OutpostError, RecordKind

from helpers import Recorder, SyncRecorder

TIMEOUT_MS = 60_000


async def device(store_dir, name, user="kari"):
    return await outpost.open_store(str(store_dir / f"{name}.db"), user, outpost.new_id())


def test_an_edit_on_a_second_device_arrives(server, store_dir):
    server.add_user("kari")
    token_phone, token_tablet = server.issue_token("kari"), server.issue_token("kari")

    async def scenario():
        phone = await device(store_dir, "phone")
        phone_sync = SyncRecorder()
        phone.add_sync_observer(phone_sync)
        doc = await phone.create_account(Account(name="Fjordfisk AS"))
        contact = await phone.create_contact(doc, Contact(first_name="Kari", last_name="Nordmann"))
        await phone.start_sync(server.url, token_phone)
        await phone.wait_until_synced(TIMEOUT_MS)
        status = phone.sync_status()
        assert status.connected and status.documents[doc].is_synced()
        assert status.up_to_date and status.pending_edits == 0

        tablet = await device(store_dir, "tablet")
        tablet_seen = Recorder()
        tablet.add_data_observer(tablet_seen)
        await tablet.start_sync(server.url, token_tablet)
        assert await tablet_seen.wait_for_change(doc), "the account never reached the tablet"
        await tablet.wait_until_synced(TIMEOUT_MS)
        on_tablet = await tablet.get_contact(doc, contact)
        assert on_tablet.first_name == "Kari"

        # the tablet edits; the phone's observer hears of it and reads the new value
        phone_seen = Recorder()
        phone.add_data_observer(phone_seen)
        on_tablet.title = "Daglig leder"
        await tablet.update_contact(doc, on_tablet)
        assert await phone_seen.wait_for_change(doc), "the tablet's edit never reached the phone"
        assert (await phone.get_contact(doc, contact)).title == "Daglig leder"

        assert phone_sync.saw("connected") and phone_sync.saw("status")
        await phone.stop_sync()
        await tablet.stop_sync()
        assert not phone.sync_status().connected

    asyncio.run(scenario())


async def eventually(check, timeout=60.0):
    """Polls the async `check` until it returns something truthy (bounded, not timed)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.05)


def test_offline_edits_of_one_field_conflict_and_resolve_across_devices(server, store_dir):
    server.add_user("kari")
    token_phone, token_tablet = server.issue_token("kari"), server.issue_token("kari")

    async def scenario():
        phone, tablet = await device(store_dir, "phone"), await device(store_dir, "tablet")
        doc = await phone.create_account(Account(name="Fjordfisk AS"))
        contact = await phone.create_contact(doc, Contact(first_name="Kari"))
        await phone.start_sync(server.url, token_phone)
        await phone.wait_until_synced(TIMEOUT_MS)
        await tablet.start_sync(server.url, token_tablet)
        async def on_tablet():
            try:
                return await tablet.get_contact(doc, contact)
            except OutpostError.NotFound:
                return None

        assert await eventually(on_tablet), "the account never reached the tablet"
        await tablet.wait_until_synced(TIMEOUT_MS)
        await phone.stop_sync()
        await tablet.stop_sync()

        # both offline, both set the title
        for store, title in ((phone, "CEO"), (tablet, "CFO")):
            c = await store.get_contact(doc, contact)
            c.title = title
            await store.update_contact(doc, c)
        await phone.start_sync(server.url, token_phone)
        await tablet.start_sync(server.url, token_tablet)

        async def title_conflict():
            return [c for c in await phone.conflicts(doc) if c.field == "title"]

        conflicts = await eventually(title_conflict)
        assert len(conflicts) == 1, "the concurrent edits never met on the phone"
        conflict = conflicts[0]
        assert conflict.kind == RecordKind.CONTACT and conflict.record_id == contact
        assert sorted(v.value.value for v in conflict.values) == ["CEO", "CFO"]
        assert {v.author.user_id for v in conflict.values} == {"kari"}

        keep = next(v for v in conflict.values if v.value == outpost.FieldValue.TEXT("CFO"))
        await phone.resolve_conflict(doc, RecordKind.CONTACT, contact, "title", keep.value_id)
        assert (await phone.get_contact(doc, contact)).title == "CFO"

        async def settled_on_tablet():
            return not await tablet.conflicts(doc) and (await tablet.get_contact(doc, contact)).title == "CFO"

        assert await eventually(settled_on_tablet), "the resolution never reached the tablet"
        await phone.stop_sync()
        await tablet.stop_sync()

    asyncio.run(scenario())


def test_a_refused_token_is_reported_as_unauthorized(server, store_dir):
    async def scenario():
        phone = await device(store_dir, "phone")
        await phone.start_sync(server.url, "not-a-token")
        with pytest.raises(OutpostError.Unauthorized) as e:
            await phone.wait_until_synced(TIMEOUT_MS)
        assert "not-a-token" not in str(e.value)
        await phone.stop_sync()

    asyncio.run(scenario())


def test_waiting_without_sync_is_offline(store_dir):
    async def scenario():
        phone = await device(store_dir, "phone")
        with pytest.raises(OutpostError.Offline):
            await phone.wait_until_synced(1)

    asyncio.run(scenario())
