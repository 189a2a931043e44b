"""Two tabs save the same screening section at the same moment: the second is asked to confirm (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from intake.models import ScreeningResponse
from tests.factories import AccessLinkFactory, VisitFactory
from tests.helpers import open_patient_session
from tests.screening.screening_data import post_section


def _state(client: Client) -> str:
    page = client.get("/patient/screening/pain/").content.decode()
    return page.split('name="form_state" value="')[1].split('"')[0]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_of_two_tabs_saving_at_once_the_second_gets_the_confirm_page(attempt):
    from intake.links.tokens import new_token

    token = new_token()
    link = AccessLinkFactory(visit=VisitFactory(), token=token)
    first = Client()
    open_patient_session(first, token, link)
    first.post("/patient/about-dry-needling/", {"read": "on"})
    assert post_section(first, "about_you").status_code == 302
    assert post_section(first, "pain").status_code == 302
    second = Client()
    second.cookies = first.cookies  # the same browser: two tabs, one session
    state = _state(first)
    start = threading.Barrier(2)
    outcomes: dict[str, int | str] = {}

    def save(client: Client, text: str) -> None:
        try:
            start.wait(timeout=10)
            response = post_section(client, "pain", {"main_complaint": text, "form_state": state})
            changed = "changed on another page" in response.content.decode()
            outcomes[text] = "confirm" if response.status_code == 200 and changed else response.status_code
        except Exception as exc:  # surfaced in the assertion below
            outcomes[text] = f"error: {exc!r}"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(first, "Tab one")),
        threading.Thread(target=save, args=(second, "Tab two")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values(), key=str) == [302, "confirm"], outcomes
    saved = next(text for text, outcome in outcomes.items() if outcome == 302)
    assert ScreeningResponse.objects.get(visit=link.visit).answers["main_complaint"] == saved
