"""The bindings on a local store: opening, records, queries, observers, errors.
Domain behaviour is tested in Rust; these check that calls cross the FFI
boundary intact (types, async, callbacks, errors)."""

import asyncio
import threading
import time

import pytest

import outpost
from outpost import (
    Account,
    AccountFilter,
    AccountSort,
    Activity,
    ActivityKind,
    ActivityStatus,
    Contact,
    OutpostError,
    Phone,
    RecordKind,
)

from helpers import Recorder


async def open_store(store_dir, name="device.db", user="kari"):
    return await outpost.open_store(str(store_dir / name), user, outpost.new_id(), phone_region="NO")


async def rep_day(store):
    """An account, a contact and a visit, as a rep logs them."""
    doc = await store.create_account(Account(name="Fjordfisk AS", territory="west"))
    contact = await store.create_contact(
        doc, Contact(first_name="Kari", last_name="Nordmann", phones=[Phone(id="p1", number="+47 912 34 567")])
    )
    now_ms = int(time.time() * 1000)
    visit = await store.create_activity(
        doc,
        Activity(
            kind=ActivityKind.VISIT,
            status=ActivityStatus.PLANNED,
            subject="Quarterly visit",
            start_at=now_ms,
            contact_ids=[contact],
        ),
    )
    return doc, contact, visit


def test_account_contact_visit_search_and_observer(store_dir):
    async def scenario():
        store = await open_store(store_dir)
        seen = Recorder()
        handle = store.add_data_observer(seen)
        doc, contact, visit = await rep_day(store)

        # the observer heard of every edit of the document, on a background thread
        assert seen.changed == [doc, doc, doc]
        assert threading.get_ident() not in seen.threads

        hits = await store.search_contacts("nord", 10)
        assert [(h.doc_id, h.contact_id, h.full_name, h.account_name) for h in hits] == [
            (doc, contact, "Kari Nordmann", "Fjordfisk AS")
        ]
        matches = await store.lookup_phone("91234567")
        assert [(m.doc_id, m.contact_id) for m in matches] == [(doc, contact)]

        accounts = await store.list_accounts(AccountFilter(sort=AccountSort.NAME))
        assert [(a.doc_id, a.name, a.territory) for a in accounts] == [(doc, "Fjordfisk AS", "west")]

        read = await store.get_activity(doc, visit)
        assert read.kind == ActivityKind.VISIT and read.contact_ids == [contact]
        agenda = await store.agenda(outpost.today(0), None)
        assert [i.activity_id for i in agenda.today] == [visit]

        # update goes through the diff writer and comes back; history records it
        c = await store.get_contact(doc, contact)
        c.title = "CEO"
        await store.update_contact(doc, c)
        assert (await store.get_contact(doc, contact)).title == "CEO"
        history = await store.history(doc, RecordKind.CONTACT, contact)
        assert any(h.field == "title" and h.new_value == outpost.FieldValue.TEXT("CEO") for h in history)

        # archive and restore cross as an enum + id
        await store.archive(doc, RecordKind.CONTACT, contact)
        assert (await store.get_contact(doc, contact)).meta.archived
        await store.restore(doc, RecordKind.CONTACT, contact)
        assert not (await store.get_contact(doc, contact)).meta.archived

        store.remove_observer(handle)
        await store.create_contact(doc, Contact(first_name="Ola"))
        assert len(seen.changed) == 6  # 3 + update + archive + restore, nothing after removal

    asyncio.run(scenario())


def test_data_survives_reopening(store_dir):
    async def scenario():
        store = await open_store(store_dir)
        doc, contact, _ = await rep_day(store)
        store.close()
        again = await open_store(store_dir)
        assert (await again.get_contact(doc, contact)).first_name == "Kari"
        assert [d.id for d in await again.documents()] == [doc]

    asyncio.run(scenario())


def test_errors_are_typed_and_carry_no_personal_data(store_dir):
    async def scenario():
        store = await open_store(store_dir)
        doc, contact, _ = await rep_day(store)
        assert await store.get_contact(doc, outpost.new_id()) is None
        missing = Contact(first_name="Kari")
        missing.meta.id = outpost.new_id()
        with pytest.raises(OutpostError.NotFound) as e:
            await store.update_contact(doc, missing)
        assert "Kari" not in str(e.value)
        dup = await store.get_contact(doc, contact)
        with pytest.raises(OutpostError.Conflict) as e:
            await store.create_contact(doc, dup)
        assert "Kari" not in str(e.value) and "Nordmann" not in str(e.value)
        # a malformed id is refused while crossing the boundary, as Invalid
        with pytest.raises(OutpostError.Invalid):
            await store.get_account("not-a-document-id")
        # a valid document id that this store does not have
        other = await open_store(store_dir, name="other.db")
        foreign = await other.create_account(Account(name="Elsewhere"))
        with pytest.raises(OutpostError.NotFound):
            await store.conflicts(foreign)

    asyncio.run(scenario())
