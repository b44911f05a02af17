"""The API as a Python developer meets it: every bad argument is a typed
`Invalid` naming what is wrong (never an untyped internal error), rows carry
enums, conflict and history values are typed, lists page, records print
their fields."""

import asyncio
import math

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
    Day,
    FieldValue,
    LifecycleStage,
    OutpostError,
    Phone,
    RecordKind,
)


def run(coro):
    return asyncio.run(coro)


def test_every_bad_argument_is_invalid(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "i.db"), "kari", outpost.new_id())
        doc = await store.create_account(Account(name="A"))
        cases = [
            (store.agenda(Day(date="2024-13-45", utc_offset_minutes=0)), "date"),
            (store.agenda(Day(date="31/12/1980", utc_offset_minutes=0)), "date"),
            (store.agenda(Day(date="2024-01-01", utc_offset_minutes=100_000)), "utc_offset_minutes"),
            (store.upcoming_dates(outpost.today(0), -1), "days"),
            (store.get_account("not-a-document-id"), "document id"),
            (store.list_contacts("", None, 0), "document id"),
            (store.search_contacts("kari", -5), "limit"),
            (store.search_contacts("kari", 5, offset=-1), "offset"),
            (store.list_contacts(doc, limit=-1), "limit"),
            (store.list_accounts(AccountFilter(limit=-2)), "filter.limit"),
            (store.wait_until_synced(-1), "timeout_ms"),
            (store.start_sync("http://example.com/sync", "t"), "url"),
            (store.history(doc, RecordKind.ACCOUNT, "x", offset=-3), "offset"),
        ]
        for call, named in cases:
            with pytest.raises(OutpostError.Invalid) as e:
                await call
            assert named in str(e.value), str(e.value)
        with pytest.raises(OutpostError.Invalid) as e:
            outpost.today(-5000)
        assert "utc_offset_minutes" in str(e.value)
        with pytest.raises(OutpostError.Invalid):
            await outpost.open_store("", "kari", "d")
        # a value breaking a rule of the schema names the field (core's validation)
        with pytest.raises(OutpostError.Invalid) as e:
            await store.create_contact(doc, Contact(first_name="Kari", birthday="31/12/1980"))
        assert "birthday" in str(e.value) and "31/12/1980" not in str(e.value)
        store.close()

    run(scenario())


def test_errors_read_as_their_text(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "e.db"), "kari", outpost.new_id())
        with pytest.raises(OutpostError.NotFound) as e:
            await store.update_contact(await store.create_account(Account(name="A")), Contact(first_name="X", meta=outpost.RecordMeta(id="nope")))
        assert str(e.value).startswith("not found: ") and "nope" in str(e.value)
        store.close()

    run(scenario())


def test_rows_are_typed_and_lists_page(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "r.db"), "kari", outpost.new_id())
        docs = []
        for i, stage in enumerate([LifecycleStage.RETENTION, LifecycleStage.CHURNED, LifecycleStage.RETENTION]):
            docs.append(await store.create_account(Account(name=f"Acct {i}", lifecycle_stage=stage)))
        kept = await store.list_accounts(AccountFilter(lifecycle_stage=LifecycleStage.RETENTION, sort=AccountSort.NAME))
        assert [a.name for a in kept] == ["Acct 0", "Acct 2"]
        assert kept[0].lifecycle_stage == LifecycleStage.RETENTION
        page2 = await store.list_accounts(AccountFilter(sort=AccountSort.NAME, limit=2, offset=2))
        assert [a.name for a in page2] == ["Acct 2"]

        doc = docs[0]
        for i in range(5):
            await store.create_contact(doc, Contact(first_name=f"Kari{i}", last_name="Nordmann"))
        first = await store.search_contacts("nordmann", 3)
        rest = await store.search_contacts("nordmann", 3, offset=3)
        assert len(first) == 3 and len(rest) == 2
        assert {h.contact_id for h in first}.isdisjoint({h.contact_id for h in rest})
        all_contacts = await store.list_contacts(doc)
        assert await store.list_contacts(doc, limit=2, offset=1) == all_contacts[1:3]

        now = await store.create_activity(
            doc, Activity(kind=ActivityKind.VISIT, status=ActivityStatus.PLANNED, subject="V",
                          start_at=int(__import__("time").time() * 1000))
        )
        agenda = await store.agenda(outpost.today(0))
        assert [(i.activity_id, i.kind, i.status) for i in agenda.today] == [(now, ActivityKind.VISIT, ActivityStatus.PLANNED)]
        store.close()

    run(scenario())


def test_history_values_are_typed_and_filter_by_field(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "h.db"), "kari", outpost.new_id())
        doc = await store.create_account(Account(name="A"))
        cid = await store.create_contact(doc, Contact(first_name="Kari", phones=[Phone(number="+47 912 34 567")]))
        c = await store.get_contact(doc, cid)
        c.title = "CEO"
        await store.update_contact(doc, c)
        titles = await store.history(doc, RecordKind.CONTACT, cid, field="title")
        assert [(h.field, h.old_value, h.new_value) for h in titles] == [("title", FieldValue.NULL(), FieldValue.TEXT("CEO"))]
        stamps = await store.history(doc, RecordKind.CONTACT, cid, field="updated_at")
        assert isinstance(stamps[-1].new_value, FieldValue.INT) and stamps[-1].new_value.value > 0
        consent = await store.history(doc, RecordKind.CONTACT, cid, field="consent")
        assert consent and all(h.field.startswith("consent.") for h in consent)
        assert all(isinstance(h.new_value, FieldValue.BOOL) for h in consent)
        phones = await store.history(doc, RecordKind.CONTACT, cid, field="phones")
        assert phones and all(h.field.startswith("phones.") for h in phones)
        everything = await store.history(doc, RecordKind.CONTACT, cid)
        assert len(everything) > len(titles) + len(phones)
        assert await store.history(doc, RecordKind.CONTACT, cid, limit=2) == everything[:2]
        store.close()

    run(scenario())


def test_records_print_their_fields():
    p = Phone(id="p1", number="+47 912 34 567", label=None, primary=True)
    assert repr(p) == "Phone(id='p1', number='+47 912 34 567', label=None, primary=True, opted_out=False)"
    assert repr(FieldValue.TEXT("CEO")) == "FieldValue.TEXT(value='CEO')"
    assert "first_name='Kari'" in repr(Contact(first_name="Kari"))
    assert repr(Day(date="2024-01-02", utc_offset_minutes=60)) == "Day(date='2024-01-02', utc_offset_minutes=60)"
    assert math.isfinite(1.0)
