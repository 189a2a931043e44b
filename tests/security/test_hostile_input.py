"""Hostile input: random and malicious values posted to every form give no 500 and store nothing
they should not (property-based with hypothesis, plus a sweep of every form with every payload)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent.models import ConsentRecord
from intake.models import AccessLink, Patient
from portal.models import AuditEvent
from tests.factories import TEST_PASSWORD
from tests.helpers import open_patient_session
from tests.security.hostile import HOSTILE, hostile_text
from tests.security.htmlforms import forms_on, path_of
from tests.security.world import NON_ID_KWARGS, all_routes, build_journey, html_pages

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
TRIED = {"count": 0}


def _tried(n: int = 1) -> None:
    TRIED["count"] += n


# --- the date-of-birth step -------------------------------------------------------------------------


@FUZZ
@given(value=st.one_of(hostile_text, st.dates().map(date.isoformat), st.integers().map(str)))
def test_any_date_of_birth_value_is_a_message_or_a_failed_attempt_never_a_crash(client, patient_link, value):
    link, token = patient_link
    cache.clear()
    AccessLink.objects.filter(pk=link.pk).update(failed_dob_attempts=0, locked_at=None)
    response = client.post(f"/p/{token}/", {"date_of_birth": value})
    _tried()
    assert response.status_code in (200, 302, 403, 429)
    if response.status_code == 302:
        assert value.strip() in (link.visit.patient.date_of_birth.isoformat(),)
    assert Patient.objects.get(pk=link.visit.patient_id).date_of_birth == date(1985, 3, 14)
    assert not _leaks_into_audit(value)


# --- staff sign-in -----------------------------------------------------------------------------------


@FUZZ
@given(username=hostile_text, password=hostile_text)
def test_any_login_values_fail_calmly_and_never_reach_the_audit_log(client, reception, username, password):
    AccessAttempt.objects.all().delete()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    _tried()
    assert response.status_code in (200, 400, 429)
    assert "_auth_user_id" not in client.session
    assert not _leaks_into_audit(password)
    assert not _leaks_into_audit(username) or username == reception.username


@FUZZ
@given(code=hostile_text)
def test_any_one_time_code_value_is_refused_calmly(client, reception, code):
    from django.test import override_settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with override_settings(STAFF_OTP_REQUIRED=True):
        TOTPDevice.objects.get_or_create(user=reception, name="app", defaults={"confirmed": True})
        AccessAttempt.objects.all().delete()
        client.post("/accounts/login/", {"username": reception.username, "password": TEST_PASSWORD})
        TOTPDevice.objects.filter(user=reception).update(throttling_failure_count=0, throttling_failure_timestamp=None)
        response = client.post("/accounts/otp/", {"code": code, "next": "/staff/"})
        _tried()
        assert response.status_code in (200, 400)
        assert client.get("/staff/").status_code == 302


# --- every form the portal shows ---------------------------------------------------------------------

STAGES = ["opened", "explained", "screened", "understood", "signed", "checked_in"]


def _patient_forms(journey) -> list[tuple[str, object]]:
    client = Client()
    open_patient_session(client, journey.token, journey.link)
    found = []
    for route in all_routes():
        if not route.is_patient or any(k not in NON_ID_KWARGS for k in route.kwargs):
            continue
        values = [{}]
        for name in route.kwargs:
            values = [{**v, name: value} for v in values for value in NON_ID_KWARGS[name]()]
        for kwargs in values:
            url = reverse(route.name, kwargs=kwargs)
            response = client.get(url)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                found += [(url, form) for form in forms_on(response.content.decode(), url) if form.method == "post"]
    return found


def _staff_forms(journey, user) -> list[tuple[str, object]]:
    client = Client()
    client.force_login(user)
    found = []
    for route in all_routes():
        if not route.is_staff:
            continue
        kwargs = {}
        for name in route.kwargs:
            kwargs[name] = journey.ids.get(name) or (NON_ID_KWARGS[name]()[0] if name in NON_ID_KWARGS else None)
        if None in kwargs.values():
            continue
        url = reverse(route.name, kwargs=kwargs)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            found += [(url, form) for form in forms_on(response.content.decode(), url) if form.method == "post"]
    return found


def _unique(forms):
    seen, out = set(), []
    for page, form in forms:
        key = (path_of(form.action), tuple(sorted(f.name for f in form.fields)))
        if key not in seen and "/accounts/logout/" not in form.action and "/language/" not in form.action:
            seen.add(key)
            out.append((page, form))
    return out


def _invariants(journeys) -> list[str]:
    problems = []
    for journey in journeys:
        patient = Patient.objects.get(pk=journey.patient.pk)
        if patient.date_of_birth != journey.patient.date_of_birth:
            problems.append(f"{journey.patient.first_name}: date of birth changed")
        active = ConsentRecord.objects.filter(visit=journey.visit, withdrawn_at__isnull=True).count()
        if active > 1:
            problems.append(f"{journey.patient.first_name}: {active} active consents")
    return problems


# The portal's own words in audit details: keys ("attempt") and codes ("password", "wrong_date_of_birth").
# Hypothesis draws strings from the source code too, so a typed "ATTEMP" found the key "attempt".
_CODE_WORD = re.compile(r"[a-z][a-z0-9_.]*")


def _typed_texts(details) -> list[str]:
    """The string values in audit details (not their keys) that are not one of the portal's own codes."""
    if isinstance(details, dict):
        return [text for value in details.values() for text in _typed_texts(value)]
    if isinstance(details, list):
        return [text for value in details for text in _typed_texts(value)]
    return [details] if isinstance(details, str) and not _CODE_WORD.fullmatch(details) else []


def _leaks_into_audit(payload: str) -> bool:
    """True when free text someone typed turns up in an audit event's details."""
    payload = payload.replace("\x00", "")  # PostgreSQL cannot even search for NUL
    if len(payload.strip()) < 6 or not any(ch.isalpha() for ch in payload):
        return False
    needle = payload[:60].casefold()
    candidates = AuditEvent.objects.filter(details__icontains=payload[:60]).values_list("details", flat=True)
    return any(needle in text.casefold() for details in candidates for text in _typed_texts(details))


def test_the_leak_check_finds_typed_text_but_not_the_portals_own_words(db):
    from portal import audit

    audit.record("test.typed", details={"attempt": 2, "step": "password", "note": "Robert'); DROP TABLE x"})
    assert _leaks_into_audit("robert'); drop")
    assert not _leaks_into_audit("ATTEMP")  # a key
    assert not _leaks_into_audit("passwo")  # one of the portal's codes


@pytest.fixture
def clinic(clinician, clinic_admin):
    journeys = [build_journey(first_name=f"Fuzz{n}", clinician=clinician, upto=stage) for n, stage in enumerate(STAGES)]
    patient_targets, seen = [], set()
    for journey in journeys:
        for url, form in _unique(_patient_forms(journey)):
            key = (path_of(form.action), tuple(sorted(f.name for f in form.fields)))
            if key not in seen:
                seen.add(key)
                patient_targets.append((journey, url, form))
    staff_targets = [(journeys[-1], url, form) for url, form in _unique(_staff_forms(journeys[-1], clinic_admin))]
    return journeys, patient_targets, staff_targets


def _restore_link(journey) -> None:
    """A staff form may have revoked or replaced the journey's link, or wrong dates locked it: undo that."""
    newer = AccessLink.objects.filter(visit=journey.visit, revoked_at__isnull=True).exclude(pk=journey.link.pk)
    newer.update(revoked_at=timezone.now())
    AccessLink.objects.filter(pk=journey.link.pk).update(failed_dob_attempts=0, locked_at=None, revoked_at=None)
    cache.clear()


def _post(journey, form, data, *, patient: bool, user) -> int:
    client = Client(raise_request_exception=False)
    if patient:
        _restore_link(journey)
        open_patient_session(client, journey.token, journey.link)
    else:
        client.force_login(user)
    # Run what the view defers to after commit (emails) as a real request would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path_of(form.action), data).status_code


# What a stored payload would look like if a page printed it without escaping.
RAW_MARKUP = ["<script>alert('x')</script>", "<img src=x onerror", "<b onmouseover"]

# 500s this sweep found in other areas' code, reported to their owners (form action path, payload).
# Any other 500 fails the sweep; a fixed one is only reported, so a fix elsewhere cannot break the build.
KNOWN_CRASHES: set[tuple[str, str]] = set()


def test_every_form_survives_every_hostile_payload(clinic, clinic_admin):
    """The sweep: each form, each payload in its free-text fields (the rest plausible), then in every field."""
    journeys, patient_targets, staff_targets = clinic
    assert patient_targets and staff_targets, "the walk should find forms to attack"
    problems, crashed = [], set()
    for patient, targets in ((True, patient_targets), (False, staff_targets)):
        for journey, _page, form in targets:
            for n, payload in enumerate(HOSTILE):
                attempts = [form.fill(text=payload)]
                if n % 3 == 0:  # every field hostile, for a third of the payloads
                    hidden = {f.name: f.value for f in form.fields if f.kind == "hidden"}
                    attempts.append({f.name: payload for f in form.fields if f.kind != "hidden"} | hidden)
                for data in attempts:
                    status = _post(journey, form, data, patient=patient, user=clinic_admin)
                    _tried()
                    key = (path_of(form.action), payload)
                    if status >= 500 and key in KNOWN_CRASHES:
                        crashed.add(key)
                    elif status >= 500:
                        problems.append(f"{form.action} with {payload[:30]!r}: {status}")
                    if _leaks_into_audit(payload):
                        problems.append(f"{form.action}: free text {payload[:30]!r} written into an audit event")
    for key in set(KNOWN_CRASHES) - crashed:
        print(f"\n{key} no longer crashes: remove it from KNOWN_CRASHES")
    problems += _invariants(journeys)
    # Stored XSS: whatever the sweep managed to store must come back escaped on every page.
    escaped_seen = False
    for journey in journeys:
        _restore_link(journey)
        for name, html in html_pages(journey, clinic_admin):
            escaped_seen = escaped_seen or "&lt;script&gt;alert(" in html
            for raw in RAW_MARKUP:
                if raw in html:
                    problems.append(f"{name} shows stored markup {raw!r} unescaped")
    assert escaped_seen, "some stored payload should come back (escaped) on a page, or this check proves nothing"

    forms = f"{len(patient_targets)} patient forms, {len(staff_targets)} staff forms"
    print(f"\nsweep: {forms}, {TRIED['count']} hostile posts so far")
    assert not problems, "\n".join(sorted(set(problems)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_values_in_random_forms_never_crash(clinic, clinic_admin, data):
    journeys, patient_targets, staff_targets = clinic
    patient, targets = data.draw(st.sampled_from([(True, patient_targets), (False, staff_targets)]))
    journey, _page, form = data.draw(st.sampled_from(targets))
    values = {}
    for field in form.fields:
        if field.kind == "hidden":
            values[field.name] = field.value
        elif field.kind not in ("submit", "button"):
            values[field.name] = data.draw(st.one_of(hostile_text, st.sampled_from(field.options or [""])))
    status = _post(journey, form, values, patient=patient, user=clinic_admin)
    _tried()
    assert status < 500, f"{form.action}: {status} for {values!r}"
    assert not _invariants(journeys)


def test_staff_search_takes_any_text(client, clinic_admin):
    client.force_login(clinic_admin)
    for payload in HOSTILE:
        response = client.get("/staff/", {"q": payload})
        _tried()
        assert response.status_code in (200, 400), payload[:30]


def test_an_over_long_username_is_refused_calmly_without_counting_an_attempt(client, reception):
    response = client.post("/accounts/login/", {"username": "x" * 300, "password": "whatever"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not AccessAttempt.objects.exists()


# --- every query parameter ---------------------------------------------------------------------------

BOUNDARY = [
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "2024-02-30",
    "99999999999999999999999",
    "9" * 5000,
    "-1",
    "-99999999999999999999",
    "0",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "1.5",
    "",
    "<script>alert(1)</script>",
]


def _get(client: Client, path: str, params: dict) -> int:
    response = client.get(path, params)
    if response.streaming:  # the CSV export fails, if at all, while it streams
        b"".join(response.streaming_content)
    return response.status_code


def _query_targets(journey, user) -> dict[str, set[str]]:
    """Every page path with the query parameters its GET forms and links send, plus `page` on each."""
    from html.parser import HTMLParser
    from urllib.parse import parse_qs, urlsplit

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.hrefs: list[str] = []

        def handle_starttag(self, tag, attrs):
            href = dict(attrs).get("href") or ""
            if tag == "a" and "?" in href:
                self.hrefs.append(href)

    client = Client()
    client.force_login(user)
    targets: dict[str, set[str]] = {}
    for route in all_routes():
        if not route.is_staff:
            continue
        kwargs = {name: journey.ids.get(name) for name in route.kwargs}
        if None in kwargs.values():
            continue
        url = reverse(route.name, kwargs=kwargs)
        response = client.get(url, {"probe": "1"})  # so links that carry the page's query show a "?"
        targets.setdefault(url, set()).add("page")
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        filters: set[str] = set()
        for form in forms_on(html, url):
            if form.method == "get":
                filters |= {f.name for f in form.fields if f.kind not in ("submit", "button")}
                targets.setdefault(path_of(form.action).split("?")[0], set()).update(filters)
        links = Links()
        links.feed(html)
        for href in links.hrefs:  # a link with a query (pager, export) carries the page's filters too
            parts = urlsplit(href)
            if parts.path.startswith("/"):
                names = (set(parse_qs(parts.query, keep_blank_values=True)) | filters) - {"probe"}
                targets.setdefault(parts.path, set()).update(names)
    return targets


def test_every_query_parameter_takes_boundary_values(clinician, clinic_admin):
    """Each query parameter of each staff page and export, alone and all at once, with boundary values."""
    journey = build_journey(first_name="Query", clinician=clinician)
    targets = _query_targets(journey, clinic_admin)
    params = {name for names in targets.values() for name in names}
    assert {"date_from", "date_to", "page", "action", "flag"} <= params, params
    assert "date_to" in targets["/staff/export.csv"], targets
    client = Client(raise_request_exception=False)
    client.force_login(clinic_admin)
    problems = []
    for path, names in sorted(targets.items()):
        for value in BOUNDARY:
            tries = [{name: value} for name in sorted(names)] + [dict.fromkeys(names, value)]
            for query in tries:
                status = _get(client, path, query)
                _tried()
                if status >= 500:
                    problems.append(f"{path}?{sorted(query)}={value[:20]!r}: {status}")
    assert not problems, "\n".join(problems)


def test_the_board_and_audit_log_ignore_dates_beyond_the_calendar(client, clinic_admin):
    client.force_login(clinic_admin)
    for path in ("/staff/", "/staff/audit/", "/staff/export.csv"):
        for value in ("9999-12-31", "0001-01-01"):
            assert _get(client, path, {"date_to": value, "date_from": value}) == 200, (path, value)
    assert client.get("/staff/", {"page": "9" * 30}).context["page"] == 10_000
    assert client.get("/staff/", {"page": "-5"}).context["page"] == 1


def test_every_hidden_field_takes_boundary_numbers_and_dates(clinic, clinic_admin):
    """Hidden fields (revisions, form states, signatures) are typed by attackers too."""
    journeys, patient_targets, staff_targets = clinic
    problems = []
    for patient, targets in ((True, patient_targets), (False, staff_targets)):
        for journey, _page, form in targets:
            for field in (f for f in form.fields if f.kind == "hidden" and f.name != "csrfmiddlewaretoken"):
                for value in ("99999999999999999999999", "-1", "NaN", "9999-12-31", "0001-01-01"):
                    status = _post(journey, form, form.fill() | {field.name: value}, patient=patient, user=clinic_admin)
                    _tried()
                    if status >= 500:
                        problems.append(f"{form.action} {field.name}={value!r}: {status}")
    assert not problems, "\n".join(problems)
    assert not _invariants(journeys)
