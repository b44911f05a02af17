"""Outpost for Python: the offline-first CRM store and its sync client.

This package is the uniffi-generated API (``outpost._uniffi``, re-exported
here: every record, enum, error and ``OutpostStore``) plus a few Python
conveniences:

- ``open_store(...)`` can be awaited (``store = await open_store(...)``) or
  used as a context manager that closes the store at the end:
  ``async with open_store(...) as store:``, or ``with open_store(...) as
  store:`` outside a running event loop; an open store is one too
  (``with store:``).
- records and enum variants print their fields, as dataclasses do (``str``
  and ``repr``): ``Phone(id='…', number='+47 912 34 567', label=None, …)``.
- the library's log messages (warnings and up: an observer that raised, a
  sync connection that failed) go to the ``logging`` module, logger names
  from the Rust module (``outpost.observer``, ``outpost_core.sync.client``);
  ``set_log_sink`` replaces this.
- at interpreter exit every store is closed and the library stops calling
  into Python (``shutdown()``), before Python tears itself down.

Generated code is not committed: ``bindings/generate.sh`` assembles this
package in ``target/bindings/python/outpost``.
"""

import asyncio as _asyncio
import atexit as _atexit
import enum as _enum
import inspect as _inspect
import logging as _logging

from . import _uniffi
from ._uniffi import *  # noqa: F401,F403 - the generated API is this package's API

__all__ = [name for name in _uniffi.__all__ if name != "open_store"] + ["open_store"]


class _Opening:
    """What ``open_store`` returns: awaitable, and a context manager that
    closes the store when the block ends."""

    def __init__(self, args, kwargs):
        self._args = args
        self._kwargs = kwargs
        self._store = None

    def _open(self):
        return _uniffi.open_store(*self._args, **self._kwargs)

    def __await__(self):
        return self._open().__await__()

    async def __aenter__(self):
        self._store = await self._open()
        return self._store

    async def __aexit__(self, *exc):
        self._store.close()
        return False

    def __enter__(self):
        try:
            _asyncio.get_running_loop()
        except RuntimeError:
            self._store = _asyncio.run(self._open())
            return self._store
        raise RuntimeError(
            "open_store inside a running event loop: use `async with open_store(...)` "
            "or `with await open_store(...)`"
        )

    def __exit__(self, *exc):
        self._store.close()
        return False


def open_store(path, user_id, device_id, phone_region=None):
    """Opens (or creates) the store at ``path`` for ``user_id`` on this device.

    ``await open_store(...)`` gives the ``OutpostStore``; ``async with
    open_store(...) as store:`` closes it when the block ends. ``device_id``
    must stay the same for the installation (``new_id()`` on first start,
    then keep it). ``phone_region`` (ISO 3166, e.g. "NO") is how phone
    numbers without a country code are read.
    """
    return _Opening((path, user_id, device_id, phone_region), {})


def _store_enter(self):
    return self


def _store_exit(self, *exc):
    self.close()
    return False


async def _store_aenter(self):
    return self


async def _store_aexit(self, *exc):
    self.close()
    return False


_uniffi.OutpostStore.__enter__ = _store_enter
_uniffi.OutpostStore.__exit__ = _store_exit
_uniffi.OutpostStore.__aenter__ = _store_aenter
_uniffi.OutpostStore.__aexit__ = _store_aexit


# ---- repr: records and enum variants show their fields (dataclass-like)


def _fields(cls):
    try:
        params = _inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return None
    names = [p for p in params if p != "self"]
    return names


def _field_repr(self):
    names = _fields(type(self)) or []
    inner = ", ".join(f"{n}={getattr(self, n, None)!r}" for n in names)
    return f"{type(self).__qualname__}({inner})"


def _has_fields(cls):
    if _fields(cls) is None or cls.__init__ is object.__init__:
        return False
    return all(
        p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
        for p in list(_inspect.signature(cls.__init__).parameters.values())[1:]
    )


def _patch(cls, seen):
    if cls in seen or not isinstance(cls, type) or cls.__module__ != _uniffi.__name__:
        return
    seen.add(cls)
    if issubclass(cls, (_enum.Enum, BaseException)) or cls is _uniffi.OutpostStore:
        pass
    elif _has_fields(cls):
        # a record, or a variant of an enum with data (a nested class):
        # str and repr both show the fields, as a dataclass does
        cls.__repr__ = _field_repr
        cls.__str__ = _field_repr
    for inner in list(vars(cls).values()):
        if isinstance(inner, type):
            _patch(inner, seen)


_seen = set()
for _name in _uniffi.__all__:
    _patch(getattr(_uniffi, _name), _seen)


# ---- logging: the library's log messages to the `logging` module


_LEVELS = {
    LogLevel.ERROR: _logging.ERROR,
    LogLevel.WARN: _logging.WARNING,
    LogLevel.INFO: _logging.INFO,
    LogLevel.DEBUG: _logging.DEBUG,
    LogLevel.TRACE: _logging.DEBUG,
}


class LoggingSink(LogSink):
    """A ``LogSink`` to the ``logging`` module (logger names from the Rust
    module, ``::`` as ``.``). Installed at import at level ``WARN``; call
    ``set_log_sink(LoggingSink(), LogLevel.DEBUG)`` for more."""

    def log(self, level, target, message):
        _logging.getLogger(target.replace("::", ".")).log(_LEVELS.get(level, _logging.INFO), message)


__all__.append("LoggingSink")
set_log_sink(LoggingSink(), LogLevel.WARN)

# before Python starts finalizing: close every store, stop calling into Python
_atexit.register(_uniffi.shutdown)
