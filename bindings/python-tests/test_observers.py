"""Observers: called on one thread per store, in order, with the records an
edit touched; one that raises is logged once and the others still run."""

import asyncio
import logging
import threading

import outpost
from outpost import Account, Activity, ActivityKind, ActivityStatus, Contact, RecordKind, RecordRef

from helpers import Recorder


class Raising(outpost.DataObserver):
    def __init__(self):
        self.calls = 0

    def on_document_changed(self, document_id, records):
        self.calls += 1
        raise ValueError("bad observer")

    def on_document_removed(self, document_id):
        raise ValueError("bad observer")


def test_a_raising_observer_does_not_stop_the_next_and_is_logged_once(store_dir, caplog, capfd):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "o.db"), "kari", outpost.new_id())
        bad, good = Raising(), Recorder()
        store.add_data_observer(bad)  # registered first: called first
        store.add_data_observer(good)
        with caplog.at_level(logging.WARNING, logger="outpost.observer"):
            doc = await store.create_account(Account(name="Fjordfisk AS"))
            await store.create_contact(doc, Contact(first_name="Kari"))
            # the log sink's thread hands the messages over in order; give it a moment
            for _ in range(200):
                if len([r for r in caplog.records if r.name == "outpost.observer"]) >= 2:
                    break
                await asyncio.sleep(0.01)
        assert bad.calls == 2
        assert good.changed == [doc, doc]
        failures = [r for r in caplog.records if r.name == "outpost.observer"]
        assert [r.getMessage() for r in failures] == ["data observer failed: ValueError('bad observer')"] * 2
        assert all(r.levelno == logging.WARNING for r in failures)
        store.close()

    asyncio.run(scenario())
    err = capfd.readouterr().err
    assert "panicked" not in err and "backtrace" not in err, err


def test_observers_run_on_one_thread_in_order_with_the_records_touched(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "t.db"), "kari", outpost.new_id())
        seen = Recorder()
        store.add_data_observer(seen)
        doc = await store.create_account(Account(name="Fjordfisk AS"))
        ids = [await store.create_contact(doc, Contact(first_name=f"K{i}")) for i in range(50)]
        visit = await store.create_activity(
            doc, Activity(kind=ActivityKind.VISIT, status=ActivityStatus.PLANNED, subject="Visit")
        )
        await store.archive(doc, RecordKind.CONTACT, ids[0])

        assert len(seen.threads) == 1 and threading.get_ident() not in seen.threads
        contacts = [r for rs in seen.records for r in rs if r.kind == RecordKind.CONTACT]
        assert [r.id for r in contacts] == ids + [ids[0]]  # creation order, then the archive
        assert seen.records[-2] == [RecordRef(kind=RecordKind.ACTIVITY, id=visit)]
        assert seen.records[0][0].kind == RecordKind.ACCOUNT
        store.close()

    asyncio.run(scenario())


def test_concurrent_writers_are_all_reported_exactly_once(store_dir):
    async def scenario():
        store = await outpost.open_store(str(store_dir / "c.db"), "kari", outpost.new_id())
        seen = Recorder()
        store.add_data_observer(seen)
        doc = await store.create_account(Account(name="A"))
        ids = await asyncio.gather(*(store.create_contact(doc, Contact(first_name=f"K{i}")) for i in range(40)))
        reported = [r.id for rs in seen.records[1:] for r in rs]
        assert sorted(reported) == sorted(ids)
        assert len(seen.threads) == 1
        store.close()

    asyncio.run(scenario())
