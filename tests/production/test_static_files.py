"""Production static files: collectstatic hashing every file and every reference between them must succeed."""

from __future__ import annotations

import json

from django.core.management import call_command


def test_collectstatic_with_a_manifest_storage_finds_every_referenced_file(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    # Fails when a CSS or JS file points at a file that is not there (such as a missing source map).
    call_command("collectstatic", "--no-input", verbosity=0)

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert "css/portal.css" in manifest
    hashed = manifest["vendor/signature_pad-5.1.4/signature_pad.umd.min.js"]
    assert (tmp_path / hashed).exists()
