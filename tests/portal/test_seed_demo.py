import pytest
from django.apps import apps
from django.core.management import call_command

from intake.models import Progress, Visit
from portal.models import User


@pytest.fixture(autouse=True)
def laptop_debug(settings):
    """seed_demo is for laptops, where DEBUG is on (pytest-django turns it off)."""
    settings.DEBUG = True


def snapshot():
    """Every row of every portal model, as comparable tuples (audit rows excluded by design: none are written)."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in {"portal", "intake", "consent", "auth"}:
            rows[model._meta.label] = sorted(str(sorted(values.items())) for values in model.objects.values())
    return rows


@pytest.mark.django_db
def test_running_it_twice_leaves_the_same_data(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first


@pytest.mark.django_db
def test_a_red_flag_in_the_demo_reaches_the_demo_clinician(capsys):
    from messaging.models import Message
    from messaging.services import raise_alert

    call_command("seed_demo")
    visit = Visit.objects.filter(clinician__username="clinician").first()
    raise_alert(visit=visit, symptoms=["breathing"], source="checkin_24h")
    assert Message.objects.filter(visit=visit, recipient="clinician@example.com").exists()


@pytest.mark.django_db
def test_it_creates_the_three_demo_logins_and_a_visit_in_every_state(capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    for username in ("reception", "clinician", "admin"):
        assert User.objects.get(username=username).check_password("needle-demo-2026")
        assert username in output
    assert set(Visit.objects.values_list("progress", flat=True)) == set(Progress.values)


@pytest.mark.django_db
def test_the_printed_demo_links_open(client, capsys):
    call_command("seed_demo")
    urls = [line.split()[-1] for line in capsys.readouterr().out.splitlines() if "/p/" in line]
    assert len(urls) == len(Progress.values) + 2  # and the invited follow-ups of the two demo courses
    for url in urls:
        assert client.get(url.replace("http://testserver", "")).status_code == 200


@pytest.mark.django_db
def test_it_refuses_to_run_with_debug_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
