import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from intake.models import Patient, Visit


def run_invite(*args):
    out = StringIO()
    call_command("invite", *args, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.mark.django_db
def test_it_prints_a_working_patient_url_as_its_last_line(client):
    lines = run_invite("--first-name", "Zoë", "--last-name", "Ölander", "--dob", "1980-02-29")
    url = lines[-1]
    assert url.startswith("http://testserver/p/")
    assert client.get(url.removeprefix("http://testserver")).status_code == 200


@pytest.mark.django_db
def test_it_reuses_an_exact_match_and_adds_a_visit():
    run_invite("--first-name", "Ana", "--last-name", "Ruiz", "--dob", "1990-01-01")
    next_month = (timezone.now() + timedelta(days=30)).replace(microsecond=0).isoformat()
    run_invite("--first-name", "ana", "--last-name", "RUIZ", "--dob", "1990-01-01", "--visit-at", next_month)
    assert Patient.objects.count() == 1
    assert Visit.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ["--first-name", "A", "--last-name", "B", "--dob", "1990-13-01"],
        ["--first-name", "A", "--last-name", "B", "--dob", "yesterday"],
        ["--first-name", "A", "--last-name", "B", "--dob", "2999-01-01"],
        ["--last-name", "B", "--dob", "1990-01-01"],
        ["--first-name", "   ", "--last-name", "B", "--dob", "1990-01-01"],
        ["--first-name", "A", "--last-name", "B", "--dob", "1990-01-01", "--visit-at", "soon"],
        ["--first-name", "A", "--last-name", "B", "--dob", "1990-01-01", "--clinician", "nobody"],
        ["--first-name", "A", "--last-name", "B", "--dob", "1990-01-01", "--language", "xx"],
    ],
)
def test_it_rejects_bad_input_with_exit_code_2_and_creates_nothing(args):
    with pytest.raises(CommandError) as error:
        run_invite(*args)
    assert error.value.returncode == 2
    assert Patient.objects.count() == 0


def test_a_bad_date_is_one_line_on_stderr_without_a_traceback(tmp_path):
    """Run the real command in a subprocess, as an operator would."""
    result = subprocess.run(
        [sys.executable, "manage.py", "invite", "--first-name", "A", "--last-name", "B", "--dob", "31/12/1990"],
        capture_output=True,
        text=True,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--dob" in result.stderr


@pytest.mark.django_db
def test_invite_refuses_an_appointment_years_away():
    args = ["--first-name", "A", "--last-name", "B", "--dob", "1980-01-01", "--visit-at", "9999-12-31T09:00"]
    with pytest.raises(CommandError, match="more than two years away") as raised:
        call_command("invite", *args)
    assert raised.value.returncode == 2
    assert not Visit.objects.exists()
