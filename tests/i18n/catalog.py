"""Which messages patients see: a fresh extraction of the code's messages, sorted into patient and staff.

Staff pages may stay English; everything a patient can see needs Spanish. A message counts as
patient-facing when any place it is used is patient-facing: templates outside the staff, portal,
registration and admin folders (but the kiosk, QR print and link email templates, which reach the
patient), and Python in intake/ and consent/ outside staff, admin, management command and migration
modules.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.i18n.pofile import Entry, read_po

ROOT = Path(settings.BASE_DIR)
PO_PATH = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
SOURCE_DIRS = ["templates", "intake", "consent", "portal"]

STAFF_PATH = re.compile(r"staff|admin|(^|/)(management|migrations|registration)/|^templates/portal/")
PATIENT_ROOTS = ("templates/", "intake/", "consent/")


# Staff templates a patient sees: the kiosk bar, the "hand the tablet back" screen, the printed QR page
# and the emails that carry the link (rendered in the visit's language).
PATIENT_IN_STAFF_PATH = re.compile(r"kiosk|print_link|/email/")


def is_patient_facing(reference: str) -> bool:
    path = reference.rsplit(":", 1)[0].removeprefix("./")
    if not path.startswith(PATIENT_ROOTS):
        return False
    return not STAFF_PATH.search(path) or bool(PATIENT_IN_STAFF_PATH.search(path))


def extract(workdir: Path) -> list[Entry]:
    """Run makemessages over the portal's sources into workdir and read what it found."""
    for name in SOURCE_DIRS:
        (workdir / name).symlink_to(ROOT / name, target_is_directory=True)
    (workdir / "locale").mkdir()
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        with override_settings(LOCALE_PATHS=[workdir / "locale"]):
            call_command("makemessages", locale=["es"], symlinks=True, verbosity=0, no_obsolete=True)
    finally:
        os.chdir(previous)
    return read_po(workdir / "locale" / "es" / "LC_MESSAGES" / "django.po")
