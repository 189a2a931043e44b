"""Production settings, checked in a separate process started with production variables."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="portal.example.com")
plain = client.get("/healthz")
secure = client.get("/healthz", secure=True)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "headers": dict(secure.headers),
    "settings": {name: getattr(settings, name) for name in [
        "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT", "STAFF_OTP_REQUIRED",
        "SECURE_HSTS_SECONDS", "X_FRAME_OPTIONS"]},
}))
"""


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="portal.example.com",
        CSRF_TRUSTED_ORIGINS="https://portal.example.com",
        SITE_URL="https://portal.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    )
    env.update(extra)
    return env


def run_manage(args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    result = run_manage(["shell", "-c", PROBE], production_env(tmp_path_factory.mktemp("prod")))
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_plain_http_is_redirected_to_https(probe):
    assert probe["plain_status"] == 301
    assert probe["plain_location"].startswith("https://portal.example.com/")


def test_hsts_nosniff_frame_denial_and_referrer_policy_are_sent(probe):
    headers = {k.lower(): v for k, v in probe["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_the_content_security_policy_allows_only_the_portals_own_files(probe):
    csp = {k.lower(): v for k, v in probe["headers"].items()}["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert "upgrade-insecure-requests" in directives
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_cookies_are_secure_http_only_and_same_site(probe):
    s = probe["settings"]
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"] and s["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert s["CSRF_COOKIE_SECURE"] and s["CSRF_COOKIE_HTTPONLY"]
    assert s["SECURE_SSL_REDIRECT"] and s["STAFF_OTP_REQUIRED"]


def test_the_deployment_check_passes_with_production_variables(tmp_path):
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_the_one_time_code(tmp_path):
    result = run_manage(["check"], production_env(tmp_path, STAFF_OTP_REQUIRED="false"))
    assert result.returncode != 0
    assert "STAFF_OTP_REQUIRED cannot be false when DEBUG is false" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    env.pop("SECRET_KEY")
    result = run_manage(["check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_setting_that_is_not_true_or_false_is_refused(tmp_path):
    result = run_manage(["check"], production_env(tmp_path, STAFF_OTP_REQUIRED="maybe"))
    assert result.returncode != 0
    assert "STAFF_OTP_REQUIRED must be true or false" in result.stderr
