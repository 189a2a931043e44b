"""The laptop's SQLite file is shared by the web server and the task worker. A transaction that reads,
works for a while and then writes (a signing renders its PDF in between) must wait for the worker's
write, or make it wait, never fail with "database is locked"."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.utils import ConnectionHandler

ALIAS = "shared_sqlite_file"


@pytest.fixture
def shared_file(tmp_path, django_db_blocker):
    """Connect each thread to one SQLite file under ALIAS, with the options given; a table to write to."""

    def configure(options: dict) -> None:
        database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db.sqlite3"), "OPTIONS": options}
        connections.settings[ALIAS] = ConnectionHandler({"default": database}).settings["default"]
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS writes (who TEXT)")

    with django_db_blocker.unblock():
        yield configure
        connections[ALIAS].close()
    del connections[ALIAS]  # this thread's connection object, which would keep the old file name
    del connections.settings[ALIAS]


def sign_while_the_worker_writes() -> tuple[list[str], list[str]]:
    """The web request reads, lets the worker try its write, then writes itself: what each one got."""
    outcome: list[str] = []
    read_done = threading.Event()

    def worker() -> None:
        read_done.wait()
        try:
            with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
                cursor.execute("INSERT INTO writes VALUES ('worker')")
            outcome.append("worker wrote")
        except OperationalError as error:
            outcome.append(f"worker failed: {error}")
        finally:
            connections[ALIAS].close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        with transaction.atomic(using=ALIAS):
            with connections[ALIAS].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM writes")
            read_done.set()
            thread.join(0.5)  # the PDF is being made: the worker writes now, or waits for this transaction
            with connections[ALIAS].cursor() as cursor:
                cursor.execute("INSERT INTO writes VALUES ('signing')")
        outcome.append("signing wrote")
    except OperationalError as error:
        outcome.append(f"signing failed: {error}")
    finally:
        read_done.set()
        thread.join()
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT who FROM writes ORDER BY rowid")
        rows = [who for (who,) in cursor.fetchall()]
    return sorted(outcome), rows


def test_a_signing_and_the_worker_both_write_with_the_portals_sqlite_options(shared_file):
    shared_file(dict(settings.SQLITE_SHARED_OPTIONS))

    outcome, rows = sign_while_the_worker_writes()

    assert outcome == ["signing wrote", "worker wrote"]
    assert rows == ["signing", "worker"]  # the worker waited for the signing's transaction


def test_with_sqlites_default_transactions_the_signing_fails(shared_file):
    # The control: without the options, the same moment is the "database is locked" a tester saw.
    shared_file({})

    outcome, rows = sign_while_the_worker_writes()

    assert "signing failed: database is locked" in outcome
    assert rows == ["worker"]
