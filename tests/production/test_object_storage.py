"""Consent PDFs on S3-compatible object storage, chosen by STORAGE_BACKEND=s3 (tested against a real server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile

from tests.production.conftest import S3Server

REPO = Path(__file__).resolve().parents[2]
PDF_BYTES = b"%PDF-1.7\n% a consent PDF stand-in \xe2\x9c\x93\n%%EOF\n"

# Runs in a fresh interpreter with the real portal.settings, so the environment alone picks the storage.
# (Storage needs the settings only, not the app registry.)
WRITE_AND_READ = r"""
import json, sys
from django.core.files.base import ContentFile
from django.core.files.storage import storages
default_storage = storages["default"]

data = sys.stdin.buffer.read()
first = default_storage.save("consents/consent-test.pdf", ContentFile(data))
second = default_storage.save("consents/consent-test.pdf", ContentFile(data))
with default_storage.open(first, "rb") as handle:
    read_back = handle.read()
print(json.dumps({
    "backend": type(default_storage).__module__ + "." + type(default_storage).__name__,
    "first": first,
    "second": second,
    "same_bytes": read_back == data,
    "exists": default_storage.exists(first),
    "size": default_storage.size(first),
    "url": default_storage.url(first),
}))
"""


def run_with_portal_settings(code: str, env: dict[str, str], stdin: bytes = b"") -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE_BACKEND", "DJANGO_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "true", **env})
    return subprocess.run(
        [sys.executable, "-c", code], input=stdin, env=clean, cwd=REPO, capture_output=True, timeout=180
    )


def test_the_laptop_default_keeps_private_files_on_the_filesystem():
    assert django_settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert django_settings.STORAGE_BACKEND == "filesystem"


def test_portal_settings_with_s3_write_and_read_a_pdf_through_the_default_storage(s3_server: S3Server):
    result = run_with_portal_settings(WRITE_AND_READ, s3_server.env(), stdin=PDF_BYTES)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    outcome = json.loads(result.stdout.decode().strip().splitlines()[-1])

    assert outcome["backend"] == "storages.backends.s3.S3Storage"
    assert outcome["same_bytes"] is True
    assert outcome["exists"] is True
    assert outcome["size"] == len(PDF_BYTES)
    # A second file with the same name never replaces the first (a signed PDF is never overwritten).
    assert outcome["second"] != outcome["first"]

    # The object really is in the bucket, under the private prefix, byte for byte, encrypted at rest.
    s3 = s3_server.client()
    stored = s3.get_object(Bucket=s3_server.bucket, Key=f"private/{outcome['first']}")
    assert stored["Body"].read() == PDF_BYTES
    assert stored.get("ServerSideEncryption") == "AES256"

    # Private: nobody but the owner is granted anything.
    grants = s3.get_object_acl(Bucket=s3_server.bucket, Key=f"private/{outcome['first']}")["Grants"]
    grantees = {grant["Grantee"].get("URI", grant["Grantee"].get("ID")) for grant in grants}
    assert not any(str(g).endswith(("AllUsers", "AuthenticatedUsers")) for g in grantees)
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]

    # The only URL the storage hands out is signed and short-lived, and it does fetch the file.
    url = outcome["url"]
    query = parse_qs(urlsplit(url).query)
    assert "X-Amz-Signature" in query
    assert int(query["X-Amz-Expires"][0]) <= 300
    assert urlsplit(url).netloc == urlsplit(s3_server.endpoint_url).netloc
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the local test server
        assert response.read() == PDF_BYTES


def test_the_default_storage_in_process_uses_s3_when_settings_say_so(s3_server: S3Server, settings):
    """The same block of settings, applied in this process: Django's storages pick S3 up at once."""
    from django.core.files.storage import default_storage

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_server.bucket,
                "endpoint_url": s3_server.endpoint_url,
                "region_name": s3_server.region,
                "access_key": s3_server.access_key,
                "secret_key": s3_server.secret_key,
                "location": "private",
                "addressing_style": "path",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    name = default_storage.save("consents/in-process.pdf", ContentFile(PDF_BYTES))
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == PDF_BYTES
    default_storage.delete(name)
    assert not default_storage.exists(name)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE_BACKEND": "s3"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND must be filesystem or s3"),
    ],
)
def test_an_incomplete_or_unknown_storage_setting_refuses_to_start(env, message):
    result = run_with_portal_settings("from django.conf import settings; settings.STORAGES", env)
    assert result.returncode != 0
    assert message in result.stderr.decode()
