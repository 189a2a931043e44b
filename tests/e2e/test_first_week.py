"""Issue 18 in a real browser: what people see and tap, with axe and a screenshot of each changed page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from intake.links.tokens import new_token
from intake.models import FlagLevel
from portal.roles import Role
from tests.consent.conftest import consent_version  # noqa: F401 - fixture
from tests.e2e.test_staff import _screened, log_in, roles  # noqa: F401 - roles is an autouse fixture
from tests.factories import AccessLinkFactory, PatientFactory, UserFactory, VisitFactory

TABLET = {"viewport": {"width": 1024, "height": 768}}


def _relative_luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[int, int, int], two: tuple[int, int, int]) -> float:
    light, dark = sorted((_relative_luminance(one), _relative_luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _rgb(css: str) -> tuple[int, int, int]:
    parts = css[css.index("(") + 1 : css.index(")")].split(",")
    return tuple(int(float(p)) for p in parts[:3])  # type: ignore[return-value]


def _open(page, base, link, token):
    page.goto(f"{base}/p/{token}/")
    page.get_by_label("Your date of birth").fill(link.visit.patient.date_of_birth.isoformat())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/patient/")


@pytest.mark.django_db(transaction=True)
def test_radio_and_checkbox_borders_reach_3_to_1_and_the_error_summary_links_to_each_field(
    live_server, phone, snap, assert_accessible
):
    token = new_token()
    now = timezone.now()
    link = AccessLinkFactory(token=token, visit__opened_at=now, visit__explanation_read_at=now)
    from intake.screening.services import save_section

    save_section(visit=link.visit, section_key="about_you", values={})
    _open(phone, live_server.url, link, token)
    phone.goto(f"{live_server.url}/patient/screening/pain/")

    measured = phone.evaluate(
        """() => ['radio', 'checkbox'].map(type => {
            const input = document.querySelector(`input[type=${type}]:not(:checked)`);
            let node = input.parentElement, bg = 'rgba(0, 0, 0, 0)';
            while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
                bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
            }
            return [type, getComputedStyle(input).borderTopColor, bg];
        })"""
    )
    for kind, border, background in measured:
        ratio = contrast(_rgb(border), _rgb(background))
        print(f"{kind} border {border} on {background}: {ratio:.2f}:1")
        assert ratio >= 3, (kind, border, background, ratio)

    phone.get_by_role("button", name="Save and continue").click()
    summary = phone.locator("#form-errors")
    summary.wait_for()
    assert phone.evaluate("document.activeElement.id") == "form-errors"
    links = summary.locator("a")
    assert links.count() >= 3
    snap(phone, "error-summary")
    assert_accessible(phone)
    target = links.first.get_attribute("href")[1:]
    links.first.click()
    assert phone.evaluate("location.hash") == f"#{target}"
    assert phone.locator(f"#{target}").is_visible()


@pytest.mark.django_db(transaction=True)
def test_the_date_of_birth_page_switches_language_and_counts_tries_left(live_server, phone, snap, assert_accessible):
    token = new_token()
    link = AccessLinkFactory(token=token)
    phone.goto(f"{live_server.url}/p/{token}/")
    phone.get_by_role("link", name="Español").click()
    phone.get_by_role("heading", name="Confirme que es usted").wait_for()
    wrong = (link.visit.patient.date_of_birth - timedelta(days=1)).isoformat()
    for _ in range(3):
        phone.locator('input[name="date_of_birth"]').fill(wrong)
        phone.locator('button[type="submit"]').click()
        phone.wait_for_load_state()
    alert = phone.locator("[data-tries-left]")
    assert alert.get_attribute("data-tries-left") == "2"
    assert "2 intentos" in alert.inner_text()
    snap(phone, "dob-tries-left-es")
    assert_accessible(phone)


@pytest.mark.django_db(transaction=True)
def test_typed_answers_are_kept_across_a_language_switch(live_server, phone, snap):
    token = new_token()
    now = timezone.now()
    link = AccessLinkFactory(token=token, visit__opened_at=now, visit__explanation_read_at=now)
    from intake.screening.services import save_section

    save_section(visit=link.visit, section_key="about_you", values={})
    # Saved earlier: what the patient now clears or unticks must stay cleared across the switch.
    save_section(visit=link.visit, section_key="pain", values={"worse": "Saved words", "pain_regions": ["knee"]})
    _open(phone, live_server.url, link, token)
    phone.goto(f"{live_server.url}/patient/screening/pain/")
    assert phone.locator('[name="worse"]').input_value() == "Saved words"
    phone.locator('[name="main_complaint"]').fill("Sore left shoulder after painting")
    phone.locator('input[name="pain_regions"][value="shoulder"]').check()
    phone.locator('[name="worse"]').fill("")
    phone.locator('input[name="pain_regions"][value="knee"]').uncheck()

    phone.locator(".language-switcher button", has_text="Español").click()
    phone.wait_for_load_state()

    assert phone.locator("html").get_attribute("lang") == "es"
    assert phone.locator('[name="main_complaint"]').input_value() == "Sore left shoulder after painting"
    assert phone.locator('input[name="pain_regions"][value="shoulder"]').is_checked()
    assert phone.locator('[name="worse"]').input_value() == ""
    assert not phone.locator('input[name="pain_regions"][value="knee"]').is_checked()
    assert phone.get_by_role("status").filter(has_text="Guardamos lo que escribió").is_visible()
    assert phone.evaluate("sessionStorage.length") == 0  # nothing typed stays in the browser
    snap(phone, "kept-after-language-switch")


@pytest.mark.django_db(transaction=True)
def test_the_before_needling_card_fits_the_first_screen_of_a_tablet(live_server, browser, snap, assert_accessible):
    clinician = UserFactory(username="doc", role=Role.CLINICIAN, first_name="Cora", last_name="Clinician")
    patient = PatientFactory(
        first_name="Bea",
        emergency_contact_name="Rosa Diaz",
        emergency_contact_phone="555-0142",
        emergency_contact_relationship="sister",
    )
    visit = _screened(clinician, patient, FlagLevel.REVIEW)
    screening = visit.screening
    screening.answers = {
        **screening.answers,
        "blood_thinner": "yes",
        "blood_thinner_which": ["antiplatelet"],
        "bleeding_disorder": "no",
        "fainting": "yes",
        "pain_regions": ["upper_back", "neck", "knee"],
        "pacemaker": "no",
        "pregnant": "no",
        "metal_allergy": "yes",
    }
    screening.save()
    context = browser.new_context(**TABLET)
    tablet = context.new_page()
    try:
        log_in(tablet, live_server.url, "doc")
        for name, url in (("review", "review"), ("record", "record")):
            tablet.goto(f"{live_server.url}/staff/visits/{visit.pk}/{url}/")
            card = tablet.locator("#before-needling")
            box = card.bounding_box()
            assert box["y"] + box["height"] <= 768, f"{name}: the card ends at {box['y'] + box['height']}px"
            text = card.inner_text()
            for words in ("aspirin or clopidogrel", "Comfort plan", "Upper back", "over the lung", "Rosa Diaz"):
                assert words in text, words
            if name == "review":
                shaded = tablet.locator(".before-needling-map .body-region.is-on")
                assert {shape.get_attribute("data-region") for shape in shaded.all()} == {"upper_back", "neck", "knee"}
            snap(tablet, f"before-needling-{name}")
            assert_accessible(tablet)
        # Visit recording starts from the patient's pain regions.
        assert tablet.locator('input[name="regions"][value="knee"]').is_checked()
        assert not tablet.locator('input[name="regions"][value="calf_shin"]').is_checked()
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_reception_finds_who_is_not_ready_tomorrow_and_unlocks_a_link(live_server, desktop, snap, assert_accessible):
    UserFactory(username="front", role=Role.RECEPTION)
    tomorrow = timezone.now() + timedelta(days=1)
    waiting = VisitFactory(patient=PatientFactory(first_name="Waiting", phone="555-0111"), scheduled_at=tomorrow)
    VisitFactory(patient=PatientFactory(first_name="Ready"), scheduled_at=tomorrow, signed_at=timezone.now())
    locked = AccessLinkFactory(visit=waiting, locked_at=timezone.now(), failed_dob_attempts=5)
    log_in(desktop, live_server.url, "front")

    desktop.get_by_role("link", name="Not ready: tomorrow").click()
    desktop.wait_for_url("**not_ready=on**")
    rows = desktop.locator("table.board-table tbody tr")
    assert rows.count() == 1 and "Waiting" in rows.first.inner_text()
    assert "555-0111" in rows.first.inner_text() and "Not screened yet" in rows.first.inner_text()
    snap(desktop, "board-not-ready-tomorrow")
    assert_accessible(desktop)

    desktop.get_by_role("button", name="Unlock the link of Waiting Example").click()
    desktop.wait_for_url(f"{live_server.url}/staff/")
    locked.refresh_from_db()
    assert locked.locked_at is None


@pytest.mark.django_db(transaction=True)
def test_the_link_page_copies_prints_and_emails_in_any_order(live_server, desktop, snap, assert_accessible):
    UserFactory(username="front", role=Role.RECEPTION)
    log_in(desktop, live_server.url, "front")
    desktop.context.grant_permissions(["clipboard-read", "clipboard-write"])
    desktop.get_by_role("link", name="Invite a patient").first.click()
    desktop.get_by_label("First name").fill("Ida")
    desktop.get_by_label("Last name").fill("Lind")
    desktop.get_by_label("Date of birth").fill("02/14/1965")
    desktop.get_by_label("Email").fill("ida@example.com")
    desktop.get_by_label("Appointment").fill((timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    desktop.get_by_role("button", name="Create and get the link").click()
    desktop.wait_for_url("**/link/")
    url = desktop.locator("#patient-url").input_value()
    snap(desktop, "link-page")
    assert_accessible(desktop)

    desktop.get_by_role("button", name="Open the print page").click()
    desktop.get_by_role("link", name="Back to the link page").click()
    assert desktop.locator("#patient-url").input_value() == url
    desktop.get_by_role("button", name="Email the link").click()
    desktop.get_by_text("will be sent to the patient by email").wait_for()
    desktop.get_by_role("button", name="Copy").click()
    desktop.get_by_text("Copied.").wait_for()
    assert desktop.evaluate("navigator.clipboard.readText()") == url


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("consent_version")
def test_the_consent_page_shows_the_name_on_file_and_takes_a_misspelling_note(
    live_server, phone, snap, assert_accessible
):
    token = new_token()
    now = timezone.now()
    link = AccessLinkFactory(
        token=token,
        visit__patient__first_name="Jon",
        visit__patient__last_name="Smyth",
        visit__opened_at=now,
        visit__explanation_read_at=now,
        visit__screening_done_at=now,
        visit__understanding_done_at=now,
    )
    _open(phone, live_server.url, link, token)
    phone.goto(f"{live_server.url}/patient/consent/")
    assert phone.locator(".name-on-file").inner_text().endswith("Jon Smyth")
    snap(phone, "consent-name-on-file")
    assert_accessible(phone)
    phone.get_by_role("button", name="My name is spelled wrong").click()
    phone.get_by_text("We told the clinic").wait_for()
    link.visit.patient.refresh_from_db()
    assert link.visit.patient.name_reported_wrong_at is not None


@pytest.mark.django_db(transaction=True)
def test_staff_error_pages_lead_back(live_server, desktop, snap, assert_accessible):
    UserFactory(username="front", role=Role.RECEPTION)
    log_in(desktop, live_server.url, "front")
    desktop.goto(f"{live_server.url}/staff/patients/00000000-0000-0000-0000-000000000000/")
    desktop.get_by_role("link", name="Back to the board").click()
    desktop.wait_for_url(f"{live_server.url}/staff/")
    desktop.goto(f"{live_server.url}/staff/review/")
    snap(desktop, "staff-403")
    assert_accessible(desktop)
    assert desktop.get_by_role("link", name="Back to the board").is_visible()


@pytest.mark.django_db(transaction=True)
def test_the_body_map_toggles_the_same_regions_as_the_checklist(live_server, phone, snap, assert_accessible):
    token = new_token()
    now = timezone.now()
    link = AccessLinkFactory(token=token, visit__opened_at=now, visit__explanation_read_at=now)
    from intake.screening.services import save_section

    save_section(visit=link.visit, section_key="about_you", values={})
    _open(phone, live_server.url, link, token)
    phone.goto(f"{live_server.url}/patient/screening/pain/")
    figure = phone.locator("[data-body-map]")
    assert figure.is_visible()

    figure.locator('.body-region[data-region="upper_back"]').click()
    assert phone.locator('input[name="pain_regions"][value="upper_back"]').is_checked()
    phone.locator('input[name="pain_regions"][value="knee"]').check()
    assert "is-on" in figure.locator('.body-region[data-region="knee"]').first.get_attribute("class")
    figure.locator('.body-region[data-region="upper_back"]').click()
    assert not phone.locator('input[name="pain_regions"][value="upper_back"]').is_checked()
    figure.scroll_into_view_if_needed()
    snap(phone, "body-map")
    assert_accessible(phone)


@pytest.mark.django_db(transaction=True)
def test_the_body_map_needs_no_script_the_checklist_still_works(live_server, browser):
    token = new_token()
    now = timezone.now()
    link = AccessLinkFactory(token=token, visit__opened_at=now, visit__explanation_read_at=now)
    from intake.screening.services import save_section

    save_section(visit=link.visit, section_key="about_you", values={})
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        _open(page, live_server.url, link, token)
        page.goto(f"{live_server.url}/patient/screening/pain/")
        assert page.locator("[data-body-map]").is_hidden()
        assert page.locator('input[name="pain_regions"][value="knee"]').is_visible()
    finally:
        context.close()
