"""Writing several records as one (a visit and its follow-up task) and
following what changed since a token (the change feed)."""

import asyncio
import time

import pytest

import outpost
from outpost import (
    Account,
    Activity,
    ActivityKind,
    ActivityStatus,
    Contact,
    OutpostError,
    RecordKind,
    RecordMeta,
    RecordRef,
    WriteBatch,
)

from helpers import Recorder


def visit_and_follow_up(batch, doc, contact):
    now = int(time.time() * 1000)
    visit = batch.create_activity(
        doc, Activity(kind=ActivityKind.VISIT, status=ActivityStatus.DONE, subject="Visit", start_at=now, contact_ids=[contact])
    )
    task = batch.create_activity(
        doc,
        Activity(kind=ActivityKind.TASK, status=ActivityStatus.PLANNED, subject="Send the offer",
                 due_at=now + 86_400_000, contact_ids=[contact], body=f"after visit {visit}"),
    )
    return visit, task


def test_a_batch_is_written_whole_and_observers_hear_once(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "b.db"), "kari", outpost.new_id())
        seen = Recorder()
        store.add_data_observer(seen)
        batch = WriteBatch()
        doc = batch.create_account(Account(name="Fjordfisk AS"))
        kari = batch.create_contact(doc, Contact(first_name="Kari"))
        visit, task = visit_and_follow_up(batch, doc, kari)
        assert batch.len() == 4
        await store.apply_batch(batch)
        assert batch.is_empty()
        assert {a.meta.id for a in await store.list_activities(doc)} == {visit, task}
        assert (await store.get_contact(doc, kari)).first_name == "Kari"
        assert seen.changed == [doc]  # one notification for the document, after the commit
        assert seen.records[0] == [
            RecordRef(kind=RecordKind.ACCOUNT, id=""),
            RecordRef(kind=RecordKind.CONTACT, id=kari),
            RecordRef(kind=RecordKind.ACTIVITY, id=visit),
            RecordRef(kind=RecordKind.ACTIVITY, id=task),
        ]
        store.close()

    asyncio.run(scenario())


def test_a_batch_whose_second_write_fails_leaves_nothing_written(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "f.db"), "kari", outpost.new_id())
        doc = await store.create_account(Account(name="Fjordfisk AS"))
        seen = Recorder()
        store.add_data_observer(seen)
        before = await store.changes_since()
        batch = WriteBatch()
        batch.create_activity(doc, Activity(kind=ActivityKind.VISIT, status=ActivityStatus.DONE, subject="Visit"))
        batch.update_contact(doc, Contact(first_name="Nobody", meta=RecordMeta(id="no-such-contact")))
        with pytest.raises(OutpostError.NotFound):
            await store.apply_batch(batch)
        assert await store.list_activities(doc) == []
        assert seen.changed == []
        assert (await store.changes_since(before.token)).changes == []
        # the store goes on
        await store.create_contact(doc, Contact(first_name="Kari"))
        store.close()

    asyncio.run(scenario())


def test_the_change_feed_lists_what_changed_since_a_token(store_dir):
    async def scenario():
        path = str(store_dir / "feed.db")
        store = await outpost.open_store(path, "kari", "phone-1")
        a = await store.create_account(Account(name="A"))
        b = await store.create_account(Account(name="B"))
        first = await store.changes_since()
        assert [c.document for c in first.changes] == [a, b] and not first.more and not first.reset

        await store.create_contact(a, Contact(first_name="Kari"))
        await store.create_contact(a, Contact(first_name="Ola"))
        page = await store.changes_since(first.token, limit=1)
        assert [c.document for c in page.changes] == [a] and not page.more
        assert (await store.changes_since(page.token)).changes == []
        store.close()

        # a token survives a restart of the app
        store = await outpost.open_store(path, "kari", "phone-1")
        await store.update_account(b, (await store.get_account(b)))  # nothing changed: no new entry
        await store.create_contact(b, Contact(first_name="Per"))
        after = await store.changes_since(page.token)
        assert [(c.document, c.removed) for c in after.changes] == [(b, False)]

        # a token of another store starts over
        other = await outpost.open_store(str(store_dir / "other.db"), "kari", "phone-1")
        foreign = (await other.changes_since()).token
        again = await store.changes_since(foreign)
        assert again.reset and {c.document for c in again.changes} == {a, b}
        with pytest.raises(OutpostError.Invalid) as e:
            await store.changes_since("garbage")
        assert "token" in str(e.value)
        store.close()
        other.close()

    asyncio.run(scenario())
