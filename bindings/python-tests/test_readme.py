"""bindings/README.md's Python examples run as written: each ```python block
is run by a fresh interpreter in an empty directory, the first-sync one
against the real server (OUTPOST_URL, OUTPOST_TOKEN)."""

import asyncio
import os
import re
import subprocess
import sys

import outpost
from outpost import Account

from conftest import BINDINGS, ROOT

README = ROOT / "bindings" / "README.md"


def blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def run(code, cwd, **env):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        env=dict(os.environ, PYTHONPATH=str(BINDINGS), **env),
    )


def test_the_readme_has_the_two_examples():
    assert len(blocks()) == 2


def test_the_first_example_runs(tmp_path):
    out = run(blocks()[0], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Kari Nordmann at Acme" in out.stdout
    assert "FieldValue.TEXT(value='Buyer')" in out.stdout
    assert "title='Buyer'" in out.stdout
    assert out.stdout.rstrip().endswith("True")
    assert (tmp_path / "outpost.db").exists()


def test_the_first_sync_example_shows_progress_and_waits(server, tmp_path):
    server.add_user("kari")
    token = server.issue_token("kari")

    async def seed():
        # three accounts on the server, from another phone of the same rep
        async with outpost.open_store(str(tmp_path / "old.db"), "kari", outpost.new_id()) as old:
            for i in range(3):
                await old.create_account(Account(name=f"Account {i}"))
            await old.start_sync(server.url, token)
            await old.wait_until_synced(60_000)

    asyncio.run(seed())
    out = run(blocks()[1], tmp_path, OUTPOST_URL=server.url, OUTPOST_TOKEN=token)
    assert out.returncode == 0, out.stderr
    assert "up to date: 3 accounts on this phone" in out.stdout, out.stdout
    # the last status the observer hears is the whole scope, here
    assert "3 of 3 accounts" in out.stdout, out.stdout

    # a refused token is said so, not a traceback
    refused = tmp_path / "refused"
    refused.mkdir()
    out = run(blocks()[1], refused, OUTPOST_URL=server.url, OUTPOST_TOKEN="not-a-token")
    assert out.returncode == 0, out.stderr
    assert "unauthorized" in out.stdout, out.stdout
