"""Test settings: the real settings with fast hashing, in-memory email and a throwaway media folder."""

import tempfile
from pathlib import Path

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
STORAGES = {**STORAGES, "default": {**STORAGES["default"], "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}}}
SITE_URL = "http://testserver"

# Every test reads the outcomes figures afresh; tests/outcomes turns the report cache on where it tests it.
OUTCOMES_CACHE_SECONDS = 0

# The suite logs staff in with force_login; tests/security turns the one-time code back on per test.
STAFF_OTP_REQUIRED = False

# The clinic's seal: a self-signed certificate created on first use in a throwaway folder.
CLINIC_SIGNING_CERT_PATH = str(PRIVATE_MEDIA_ROOT.parent / (PRIVATE_MEDIA_ROOT.name + "-seal") / "cert.pem")
CLINIC_SIGNING_KEY_PATH = str(PRIVATE_MEDIA_ROOT.parent / (PRIVATE_MEDIA_ROOT.name + "-seal") / "key.pem")
CLINIC_SIGNING_AUTO_CREATE = True

# Tasks run in the process that enqueues them (after commit), so a test sees a message or webhook
# delivered; tests/messaging also runs the real database worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SMS_BACKEND = "messaging.sms.LocmemBackend"
# A message template used only by the tests (tests/templates/).
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]}]  # noqa: F405
