"""Posting the calm answers (intake/demo/screening.py) section by section, as the browser would."""

from __future__ import annotations

from django.test import Client

from intake.demo.screening import CALM_ANSWERS


def post_section(client: Client, section: str, changes: dict | None = None, **extra):
    data = {**CALM_ANSWERS[section], **(changes or {})}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/patient/screening/{section}/", data, **extra)


# The things that are hard to do, asked right after the pain section (intake/outcomes/patient.py).
CALM_ACTIVITIES = {"psfs_activity_1": "Running for the bus", "psfs_rating_1": "4"}


def answer_everything(client: Client, changes: dict[str, dict] | None = None) -> None:
    for section in CALM_ANSWERS:
        response = post_section(client, section, (changes or {}).get(section))
        assert response.status_code == 302, (section, response.content.decode()[:3000])
        if response["Location"] == "/patient/screening/your-activities/":
            response = client.post(response["Location"], CALM_ACTIVITIES)
            assert response.status_code == 302, response.content.decode()[:3000]
