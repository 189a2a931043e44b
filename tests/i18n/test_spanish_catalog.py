import gettext
import shutil

import pytest

from tests.i18n.catalog import MO_PATH, PO_PATH, extract, is_patient_facing
from tests.i18n.pofile import read_po


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: run bin/setup (it installs Debian's gettext)")
    return extract(tmp_path_factory.mktemp("messages"))


def test_it_sorts_patient_pages_from_staff_pages():
    assert is_patient_facing("templates/intake/links/confirm_dob.html:5")
    assert is_patient_facing("templates/consent/sign.html:10")
    assert is_patient_facing("templates/partials/language_switcher.html:5")
    assert is_patient_facing("intake/links/views.py:27")
    assert is_patient_facing("consent/pdf.py:27")
    assert is_patient_facing("templates/intake/staff/partials/kiosk_bar.html:4")
    assert is_patient_facing("templates/intake/staff/kiosk_locked.html:7")
    assert is_patient_facing("templates/intake/staff/print_link.html:19")
    assert is_patient_facing("templates/intake/staff/email/link_body.txt:3")
    assert not is_patient_facing("templates/intake/staff/board.html:3")
    assert not is_patient_facing("templates/staff_base.html:3")
    assert not is_patient_facing("templates/consent/staff/review.html:3")
    assert not is_patient_facing("intake/staff/views/board.py:3")
    assert not is_patient_facing("intake/admin.py:3")
    assert not is_patient_facing("intake/management/commands/invite.py:3")
    assert not is_patient_facing("portal/access.py:3")
    assert not is_patient_facing("templates/registration/login.html:3")


def test_every_patient_facing_message_has_a_spanish_translation(extracted):
    spanish = {entry.key: entry for entry in read_po(PO_PATH) if not entry.obsolete}
    missing = []
    for entry in extracted:
        places = [ref for ref in entry.references if is_patient_facing(ref)]
        if not places:
            continue
        ours = spanish.get(entry.key)
        if ours is None or not ours.translated:
            state = "missing" if ours is None else ("fuzzy" if "fuzzy" in ours.flags else "empty")
            missing.append(f"{state}: {entry.msgid[:70]!r} ({places[0]})")
    assert not missing, (
        f"{len(missing)} patient-facing messages lack Spanish; run "
        "`.venv/bin/python manage.py makemessages -l es -i tests -i bench -i static --no-obsolete`, "
        "translate locale/es/LC_MESSAGES/django.po, then `compilemessages -l es -i .venv`:\n" + "\n".join(missing)
    )


def test_the_compiled_catalog_matches_the_translations():
    compiled = gettext.GNUTranslations(MO_PATH.open("rb"))
    stale = []
    for entry in read_po(PO_PATH):
        if entry.obsolete or not entry.translated:
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural:
            got = {index: compiled._catalog.get((key, index)) for index in entry.msgstr}
        else:
            got = {0: compiled._catalog.get(key)}
        if got != entry.msgstr:
            stale.append(entry.msgid[:70])
    assert not stale, (
        "django.mo is older than django.po: run `manage.py compilemessages -l es -i .venv`:\n" + "\n".join(stale)
    )
