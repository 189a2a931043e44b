import subprocess
import sys
from unittest import mock

from django.db import OperationalError
from django.test import Client

from tests.helpers import database_down, open_patient_session


def test_it_reports_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_it_returns_503_when_the_database_is_unreachable(client, db):
    with mock.patch("portal.views.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] != "ok"


def test_it_answers_503_when_postgresql_is_not_there():
    """Not a mock: a fresh process whose DATABASE_URL points at a port nothing listens on."""
    script = (
        "import django, os; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, r.json()['status'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing?connect_timeout=2",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.stdout.split() == ["503", "unavailable"], result.stderr[-500:]


def test_it_only_answers_get(client, db):
    assert client.post("/healthz").status_code == 405


def test_it_answers_503_json_during_an_outage_even_with_a_staff_session_cookie(client, clinician):
    client.force_login(clinician)
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_it_answers_503_json_during_an_outage_with_a_patient_session_or_a_made_up_cookie(client, patient_link):
    link, token = patient_link
    open_patient_session(client, token, link)
    with database_down():
        assert client.get("/healthz").status_code == 503
        client.cookies["sessionid"] = "made-up-session-key"
        assert client.get("/healthz").json()["status"] == "unavailable"
    assert client.get("/healthz").status_code == 200


def test_it_answers_503_json_during_an_outage_without_cookies(db):
    with database_down():
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
