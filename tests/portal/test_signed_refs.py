"""Signed references: short, unforgeable, bound to one purpose, and they expire."""

import uuid

from portal import signed_refs

ROW = uuid.UUID("0b7c0c4e-8a1e-4b5f-9c55-6c1b7e0d2b9a")
NOW = 1_800_000_000.0


def test_a_reference_reads_back_to_its_row_and_is_short_enough_for_a_text():
    reference = signed_refs.make(ROW, purpose="reminder", now=NOW)
    assert len(reference) <= 52
    assert signed_refs.read(reference, purpose="reminder", max_age=3600, now=NOW + 3599) == ROW


def test_it_expires_after_max_age():
    reference = signed_refs.make(ROW, purpose="reminder", now=NOW)
    assert signed_refs.read(reference, purpose="reminder", max_age=3600, now=NOW + 3601) is None


def test_it_cannot_be_used_for_another_purpose_or_changed():
    reference = signed_refs.make(ROW, purpose="reminder", now=NOW)
    assert signed_refs.read(reference, purpose="link", max_age=None, now=NOW) is None
    other = signed_refs.make(uuid.uuid4(), purpose="reminder", now=NOW)
    forged = other.split(".")[0] + "." + ".".join(reference.split(".")[1:])
    assert signed_refs.read(forged, purpose="reminder", max_age=None, now=NOW) is None
    younger = reference.split(".")[0] + "." + "2" * 6 + "." + reference.split(".")[2]
    assert signed_refs.read(younger, purpose="reminder", max_age=None, now=NOW) is None


def test_garbage_is_refused_without_an_error():
    for junk in ("", "a.b.c", "x" * 200, "..", "!!.!!.!!", "abc"):
        assert signed_refs.read(junk, purpose="reminder", max_age=None) is None


def test_a_new_secret_key_voids_every_reference(settings):
    reference = signed_refs.make(ROW, purpose="reminder", now=NOW)
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert signed_refs.read(reference, purpose="reminder", max_age=None, now=NOW) is None
