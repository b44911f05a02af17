"""Small helpers shared by the tests: observers that record what they are told."""

import asyncio
import threading

import outpost


class Recorder(outpost.DataObserver):
    """A DataObserver that remembers the documents it was told about."""

    def __init__(self):
        self.changed = []
        self.records = []
        self.removed = []
        self.threads = set()
        self._cond = threading.Condition()

    def on_document_changed(self, document_id, records):
        with self._cond:
            self.threads.add(threading.get_ident())
            self.changed.append(document_id)
            self.records.append(records)
            self._cond.notify_all()

    def on_document_removed(self, document_id):
        with self._cond:
            self.removed.append(document_id)
            self._cond.notify_all()

    async def wait_for_change(self, doc, timeout=60.0) -> bool:
        """Waits (off the event loop) until `doc` was reported changed."""

        def wait():
            with self._cond:
                return self._cond.wait_for(lambda: doc in self.changed, timeout)

        return await asyncio.to_thread(wait)


class SyncRecorder(outpost.SyncObserver):
    """A SyncObserver that keeps every event."""

    def __init__(self):
        self.events = []
        self._lock = threading.Lock()

    def on_sync_event(self, event):
        with self._lock:
            self.events.append(event)

    def saw(self, kind: str) -> bool:
        """Whether an event of this kind arrived, e.g. `saw("connected")`."""
        with self._lock:
            return any(getattr(e, "is_" + kind)() for e in self.events)
