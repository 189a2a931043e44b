"""The whole patient journey in a real browser, in English and Spanish, on a phone and at a desk.

Every page visited is saved as a screenshot (tests/e2e/screens/) and checked with axe-core for
serious or critical problems. No sleeps: every step waits for a URL, a heading or a control.
"""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from consent.demo import seed_versions
from consent.models import ConsentRecord
from intake.demo.screening import CALM_ANSWERS
from intake.links.tokens import new_token
from intake.models import CheckIn, UnderstandingResult, Visit, VisitRecord
from portal.roles import Role
from tests.factories import TEST_PASSWORD, AccessLinkFactory, UserFactory, VisitFactory
from tests.screening.screening_data import CALM_ACTIVITIES

pytestmark = pytest.mark.django_db(transaction=True)

# The quick check answered right except "sudden shortness of breath": wait and see.
CHECK_ONE_WRONG = {
    "injected": "no",
    "soreness": "days",
    "breathless": "wait",
    "optional": "yes",
    "acupuncture": "different",
}

# What the patient clicks, in each language (the words come from the Spanish catalog under test).
WORDS = {
    "en": {
        "dob": "Your date of birth",
        "continue": "Continue",
        "start": "Continue: About dry needling",
        "explanation": "About dry needling",
        "read": "I have read this information",
        "to_questions": "Continue to the health questions",
        "save": "Save and continue",
        "finish": "Save and finish",
        "to_check": "Continue to the quick check",
        "check": "Check my answers",
        "not_right": "Some answers are not quite right",
        "to_consent": "Continue to the consent form",
        "sign_heading": "Read and sign your consent",
        "sign": "Sign my consent",
        "signed_heading": "Your consent",
        "download": "Download your signed copy (PDF)",
        "before_heading": "Before your visit",
        "consent_title": "Consent to dry needling",
        "aftercare_heading": "Your aftercare",
        "check_in": "Check in now",
        "how": "How are you doing?",
        "send": "Send my answers",
        "type_name": "Type your full name",
        "breathing": "Watch your breathing",
        "worse": "Getting worse",
        "infection": "Redness, warmth, swelling",
        "other_language": "Español",
        "hello": "Hello, Zoë",
        "aftercare_pdf": "Your aftercare after dry needling",
    },
    "es": {
        "dob": "Su fecha de nacimiento",
        "continue": "Continuar",
        "start": "Continuar: Sobre la punción seca",
        "explanation": "Sobre la punción seca",
        "read": "Leí esta información",
        "to_questions": "Continuar a las preguntas de salud",
        "save": "Guardar y continuar",
        "finish": "Guardar y terminar",
        "to_check": "Continuar al repaso rápido",
        "check": "Comprobar mis respuestas",
        "not_right": "Algunas respuestas no son del todo correctas",
        "to_consent": "Continuar al formulario de consentimiento",
        "sign_heading": "Lea y firme su consentimiento",
        "sign": "Firmar mi consentimiento",
        "signed_heading": "Su consentimiento",
        "download": "Descargar su copia firmada (PDF)",
        "before_heading": "Antes de su cita",
        "consent_title": "Consentimiento para la punción seca",
        "aftercare_heading": "Sus cuidados posteriores",
        "check_in": "Responder ahora",
        "how": "¿Cómo se encuentra?",
        "send": "Enviar mis respuestas",
        "type_name": "Escriba su nombre completo",
        "breathing": "Vigile su respiración",
        "worse": "Va empeorando",
        "infection": "Enrojecimiento, calor, hinchazón",
        "other_language": "English",
        "hello": "Hola, Zoë",
        "aftercare_pdf": "Sus cuidados después de la punción seca",
    },
}


@pytest.fixture(autouse=True)
def roles(transactional_db):
    """Transactional tests empty every table between tests, the roles from the data migration too."""
    from django.contrib.auth.models import Group

    from portal.roles import sync_role_permissions

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    sync_role_permissions()


class Journey:
    """One patient going through the pages, with a screenshot and an axe check of each."""

    def __init__(self, page, live_server, snap, assert_accessible, *, language="en", prefix=""):
        self.page, self.base, self.snap, self.axe = page, live_server.url, snap, assert_accessible
        self.words = WORDS[language]
        self.prefix = prefix
        self.count = 0

    def seen(self, name: str) -> None:
        self.count += 1
        self.snap(self.page, f"{self.prefix}{self.count:02d}-{name}")
        self.axe(self.page)
        assert self.page.js_errors == []

    def heading(self, name: str):
        return self.page.get_by_role("heading", name=name, exact=True)

    def open_link(self, token: str, dob) -> None:
        w, page = self.words, self.page
        page.goto(f"{self.base}/p/{token}/")
        page.get_by_label(w["dob"]).wait_for()
        self.seen("date-of-birth")
        page.get_by_label(w["dob"]).fill(dob.isoformat())
        page.get_by_role("button", name=w["continue"]).click()
        page.wait_for_url(f"{self.base}/patient/")
        self.seen("progress")

    def read_explanation(self) -> None:
        w, page = self.words, self.page
        page.get_by_role("link", name=w["start"]).click()
        self.heading(w["explanation"]).wait_for()
        self.seen("explanation")
        page.get_by_label(w["read"]).check()
        page.get_by_role("button", name=w["to_questions"]).click()

    def fill(self, values: dict) -> None:
        page = self.page
        for name, value in values.items():
            if isinstance(value, list):
                for choice in value:
                    page.locator(f'input[name="{name}"][value="{choice}"]').check()
            elif page.locator(f'input[type="radio"][name="{name}"]').count():
                page.locator(f'input[type="radio"][name="{name}"][value="{value}"]').check()
            elif value != "":
                page.locator(f'[name="{name}"]').fill(value)

    def answer_screening(self, *, stop_after: str | None = None) -> None:
        """Every section; the conditional questions appear only after the answer that opens them."""
        w, page = self.words, self.page
        sections = list(CALM_ANSWERS.items())
        for section, values in sections:
            page.wait_for_url(f"{self.base}/patient/screening/{section}/")
            if section == "safety":
                follow_up = page.locator('[data-show-if-item="blood_thinner"]')
                assert follow_up.is_hidden()
                page.locator('input[name="blood_thinner"][value="yes"]').check()
                follow_up.wait_for(state="visible")
                values = {**values, "blood_thinner": "yes", "blood_thinner_which": ["antiplatelet"]}
            if section == "needles":
                follow_up = page.locator('[data-show-if-item="prior_dry_needling"]').first
                page.locator('input[name="prior_dry_needling"][value="no"]').check()
                follow_up.wait_for(state="hidden")
                page.locator('input[name="prior_dry_needling"][value="yes"]').check()
                follow_up.wait_for(state="visible")
            self.fill(values)
            self.seen(f"screening-{section}")
            if section == stop_after:
                return
            last = section == sections[-1][0]
            page.get_by_role("button", name=w["finish"] if last else w["save"]).click()
            if section == "pain":  # the things that are hard to do come right after the pain (issue 15)
                page.wait_for_url(f"{self.base}/patient/screening/your-activities/")
                self.fill(CALM_ACTIVITIES)
                self.seen("screening-activities")
                page.get_by_role("button", name=w["save"]).click()
        page.wait_for_url(f"{self.base}/patient/screening/answers/")
        self.seen("screening-answers")

    def understanding_check_with_one_wrong_answer(self, visit: Visit) -> None:
        w, page = self.words, self.page
        page.get_by_role("link", name=w["to_check"]).last.click()
        page.wait_for_url(f"{self.base}/patient/check/")
        self.seen("check")
        self.fill(CHECK_ONE_WRONG)
        page.get_by_role("button", name=w["check"]).click()
        page.get_by_text(w["not_right"]).wait_for()
        self.seen("check-one-wrong")
        self.fill({"breathless": "emergency"})
        page.get_by_role("button", name=w["check"]).click()
        page.wait_for_url(re.compile(r"/patient/(consent/|check/)"))
        result = UnderstandingResult.objects.get(visit=visit)
        assert result.first_try["breathless"] is False
        if "/patient/check/" in page.url:  # the "well done" page links on to the consent
            self.seen("check-passed")
            page.get_by_role("link", name=w["to_consent"]).click()
        page.wait_for_url(f"{self.base}/patient/consent/")
        self.heading(w["sign_heading"]).wait_for()
        self.seen("consent")

    def tick_consent_boxes(self, *, keyboard: bool = False) -> None:
        """The agreement, the two confirmations and every risk."""
        boxes = self.page.locator("#consent-form input[type=checkbox]:not([name=cannot_draw])")
        for index in range(boxes.count()):
            box = boxes.nth(index)
            if keyboard:
                box.focus()
                self.page.keyboard.press("Space")
                assert box.is_checked()
            else:
                box.check()

    def draw_signature_with_a_finger(self) -> None:
        """Real touch input through Chromium's input pipeline, which signature_pad sees as pointer events."""
        canvas = self.page.locator("canvas.signature-canvas")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        cdp = self.page.context.new_cdp_session(self.page)
        x0, y0 = box["x"] + 20, box["y"] + box["height"] / 2
        points = [(x0 + step * 12, y0 + (18 if step % 2 else -18)) for step in range(20)]
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
        for x, y in points:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        cdp.detach()
        # The drawing is on the canvas: signature_pad keeps it and says it is not empty.
        assert canvas.evaluate("c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v)")

    def after_signing(self) -> None:
        """Signing leads to "before your visit", with a note that the copy is on the consent page."""
        w, page = self.words, self.page
        # Making and sealing the PDF takes a few seconds on a busy machine.
        page.wait_for_url(re.compile(r"/patient/before-your-visit/"), timeout=60_000)
        self.heading(w["before_heading"]).wait_for()
        self.seen("before-your-visit")

    def signed_copy(self) -> str:
        """Download the signed PDF from the consent page and read its text back."""
        w, page = self.words, self.page
        page.goto(f"{self.base}/patient/consent/signed/")
        self.heading(w["signed_heading"]).wait_for()
        self.seen("signed")
        href = page.get_by_role("link", name=w["download"]).get_attribute("href")
        response = page.request.get(f"{self.base}{href}")
        assert response.ok and response.headers["content-type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(response.body()))
        return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def staff_log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/")


def test_a_patient_goes_through_the_whole_journey_on_a_phone_and_reports_a_red_flag(
    live_server, phone, desktop, snap, assert_accessible
):
    seed_versions()
    clinician = UserFactory(username="dr-ines", first_name="Inés", last_name="Núñez", role=Role.CLINICIAN)
    visit = VisitFactory(
        clinician=clinician,
        scheduled_at=timezone.now() + timedelta(days=1),
        patient__first_name="Zoë",
        patient__last_name="Okafor",
    )
    token = new_token()
    AccessLinkFactory(visit=visit, token=token)
    journey = Journey(phone, live_server, snap, assert_accessible)

    journey.open_link(token, visit.patient.date_of_birth)
    journey.read_explanation()
    journey.answer_screening()
    journey.understanding_check_with_one_wrong_answer(visit)

    journey.tick_consent_boxes()
    phone.get_by_label("Type your full name").fill("zoe okafor")
    journey.draw_signature_with_a_finger()
    journey.seen("consent-filled")
    phone.get_by_role("button", name="Sign my consent").click()
    journey.after_signing()
    text = journey.signed_copy()
    record = ConsentRecord.objects.get(visit=visit)
    assert record.signature_method == ConsentRecord.SignatureMethod.DRAWN
    assert record.language == "en"
    assert "Consent to dry needling" in text and "Zoë Okafor" in text

    record_the_visit_at_a_desk(desktop, live_server.url, visit, snap, assert_accessible, prefix="full-journey")
    report_a_red_flag_the_next_day(journey, visit)


def record_the_visit_at_a_desk(desktop, base, visit, snap, assert_accessible, *, prefix: str) -> None:
    """The clinician records the visit (upper back needled) just after the patient signed; then a day
    passes (the record is moved 20 hours back), so the first check-in is open."""
    staff_log_in(desktop, base, visit.clinician.username)
    desktop.goto(f"{base}/staff/visits/{visit.pk}/record/")
    desktop.get_by_role("heading", name="Record the visit").wait_for()
    desktop.get_by_label("Session time").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    desktop.get_by_label("Upper back", exact=False).check()
    snap(desktop, f"{prefix}-staff-record-visit")
    assert_accessible(desktop)
    desktop.get_by_role("button", name="Record the visit").click()
    desktop.wait_for_url(re.compile(r"/staff/"))
    desktop.wait_for_load_state()
    visit.refresh_from_db()
    assert visit.visited_at is not None
    a_day_ago = timezone.now() - timedelta(hours=20)
    VisitRecord.objects.filter(visit=visit).update(treated_at=a_day_ago)
    Visit.objects.filter(pk=visit.pk).update(visited_at=a_day_ago)


def report_a_red_flag_the_next_day(journey: Journey, visit: Visit) -> None:
    """The same link opens aftercare with the breathing warning first; a check-in reports a red flag."""
    w, page = journey.words, journey.page
    page.goto(f"{journey.base}/patient/aftercare/")
    journey.heading(w["aftercare_heading"]).wait_for()
    assert page.get_by_role("heading", name=w["breathing"]).is_visible()
    journey.seen("aftercare")
    page.get_by_role("link", name=w["check_in"]).click()
    journey.heading(w["how"]).wait_for()
    journey.seen("check-in")
    page.locator("label[for=id_soreness_6]").click()
    page.get_by_label(w["worse"]).check()
    page.get_by_label(w["infection"]).check()
    page.get_by_role("button", name=w["send"]).click()
    page.wait_for_url(re.compile(r"/done/"))
    journey.seen("check-in-red-flag")
    assert CheckIn.objects.get(visit=visit).red_flags
    visit.refresh_from_db()
    assert visit.urgent_since is not None


def test_a_patient_switches_to_spanish_and_does_everything_in_spanish(
    live_server, phone, desktop, snap, assert_accessible
):
    seed_versions()
    clinician = UserFactory(username="dr-ines", first_name="Inés", last_name="Núñez", role=Role.CLINICIAN)
    visit = VisitFactory(
        clinician=clinician,
        scheduled_at=timezone.now() + timedelta(days=1),
        patient__first_name="Zoë",
        patient__last_name="Okafor",
    )
    token = new_token()
    AccessLinkFactory(visit=visit, token=token)
    journey = Journey(phone, live_server, snap, assert_accessible)
    journey.open_link(token, visit.patient.date_of_birth)

    phone.get_by_role("button", name="Español").click()
    journey.words = WORDS["es"]
    journey.heading("Hola, Zoë").wait_for()
    assert phone.locator("html").get_attribute("lang") == "es"
    journey.seen("progress-in-spanish")
    visit.refresh_from_db()
    assert visit.language == "es"

    journey.read_explanation()
    journey.answer_screening()
    assert phone.get_by_text("Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta").is_visible()
    journey.understanding_check_with_one_wrong_answer(visit)
    assert phone.get_by_role("heading", name="Consentimiento para la punción seca").is_visible()
    journey.tick_consent_boxes()
    phone.get_by_label("Escriba su nombre completo").fill("Zoë Okafor")
    journey.draw_signature_with_a_finger()
    phone.get_by_role("button", name="Firmar mi consentimiento").click()
    journey.after_signing()
    text = journey.signed_copy()
    record = ConsentRecord.objects.get(visit=visit)
    assert record.language == "es" and record.consent_version.language == "es"
    assert "Consentimiento para la punción seca" in text and "Acuerdo y firma" in text

    record_the_visit_at_a_desk(desktop, live_server.url, visit, snap, assert_accessible, prefix="spanish-journey")
    report_a_red_flag_the_next_day(journey, visit)


def ready_to_sign(**patient) -> tuple[Visit, str]:
    """A visit whose patient has read, answered and passed the quick check: the consent is next."""
    seed_versions()
    clinician = UserFactory(username="dr-ines", first_name="Inés", last_name="Núñez", role=Role.CLINICIAN)
    now = timezone.now()
    visit = VisitFactory(
        clinician=clinician,
        scheduled_at=now + timedelta(days=1),
        opened_at=now,
        explanation_read_at=now,
        screening_done_at=now,
        understanding_done_at=now,
        **{f"patient__{key}": value for key, value in patient.items()},
    )
    token = new_token()
    AccessLinkFactory(visit=visit, token=token)
    return visit, token


FOCUSED = """() => {
  const e = document.activeElement;
  return {tag: e.tagName, type: e.type || "", name: e.name || "", text: (e.innerText || "").trim().slice(0, 40)};
}"""


def test_the_consent_can_be_signed_with_the_keyboard_alone_on_the_typed_path(
    live_server, desktop, snap, assert_accessible
):
    visit, token = ready_to_sign(first_name="José", last_name="García")
    journey = Journey(desktop, live_server, snap, assert_accessible)
    journey.open_link(token, visit.patient.date_of_birth)
    desktop.goto(f"{live_server.url}/patient/consent/")
    journey.heading("Read and sign your consent").wait_for()
    journey.seen("consent")

    # From the top of the page: the skip link, then Tab through the form, acting on each control in turn.
    desktop.keyboard.press("Tab")
    assert desktop.evaluate(FOCUSED)["text"] == "Skip to main content"
    desktop.keyboard.press("Enter")
    order = []
    for _ in range(200):
        desktop.keyboard.press("Tab")
        focused = desktop.evaluate(FOCUSED)
        if focused["type"] == "checkbox":
            desktop.keyboard.press("Space")
            order.append(focused["name"])
        elif focused["name"] == "typed_name":
            desktop.keyboard.type("jose garcia")
            order.append("typed_name")
        elif focused["tag"] == "BUTTON" and focused["text"] == "Sign my consent":
            journey.seen("consent-filled-by-keyboard")
            desktop.keyboard.press("Enter")
            break
    else:
        pytest.fail(f"Tab never reached the sign button; focus went through {order}")

    # The order the controls were reached is the order they are read in.
    risks = [name for name in order if name.startswith("risk_")]
    assert order == ["electronic_signature", "read_and_understood", "voluntary", *risks, "typed_name", "cannot_draw"]
    assert len(risks) == 11
    journey.after_signing()
    record = ConsentRecord.objects.get(visit=visit)
    assert record.signature_method == ConsentRecord.SignatureMethod.TYPED
    assert "José García" in journey.signed_copy()


TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def test_reception_invites_prints_the_qr_page_and_hands_over_a_kiosk_then_the_clinician_confirms(
    live_server, browser, desktop, snap, assert_accessible
):
    from intake.models import Patient
    from tests.e2e.conftest import _new_page

    seed_versions()
    UserFactory(username="front", role=Role.RECEPTION, first_name="Rita", last_name="Reception")
    UserFactory(username="dr-ines", role=Role.CLINICIAN, first_name="Inés", last_name="Núñez")
    base = live_server.url
    tablet = _new_page(browser, TABLET)
    try:
        # Reception, on the clinic tablet: log in, invite, print the QR page.
        tablet.goto(f"{base}/accounts/login/")
        tablet.get_by_label("Username").wait_for()
        snap(tablet, "kiosk-00-login")
        assert_accessible(tablet)
        staff_log_in(tablet, base, "front")
        snap(tablet, "kiosk-01-board")
        assert_accessible(tablet)
        tablet.get_by_role("link", name="Invite a patient").first.click()
        tablet.get_by_label("First name").fill("Zoë")
        tablet.get_by_label("Last name").fill("Okafor")
        tablet.get_by_label("Date of birth").fill("1988-04-12")
        when = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=30)
        tablet.get_by_label("Appointment").fill(when.strftime("%Y-%m-%dT%H:%M"))
        tablet.get_by_label("Clinician").select_option(label="Inés Núñez")
        snap(tablet, "kiosk-02-invite")
        assert_accessible(tablet)
        tablet.get_by_role("button", name="Create and get the link").click()
        tablet.get_by_text("until the patient first opens it").wait_for()
        snap(tablet, "kiosk-03-link")
        assert_accessible(tablet)
        tablet.get_by_role("button", name="Open the print page").click()
        tablet.locator(".qr-box svg").wait_for()
        assert "/p/" in tablet.locator(".print-url").inner_text()
        snap(tablet, "kiosk-04-qr-page")
        assert_accessible(tablet)

        # Hand the tablet over in kiosk mode: the patient does the journey, then hands it back.
        patient = Patient.objects.get(first_name="Zoë", last_name="Okafor")
        visit = patient.visits.get()
        tablet.goto(f"{base}/staff/patients/{patient.pk}/")
        tablet.get_by_role("button", name="Start kiosk mode on this device").click()
        tablet.wait_for_url(f"{base}/patient/")
        journey = Journey(tablet, live_server, snap, assert_accessible, prefix="kiosk-journey-")
        journey.seen("progress")
        journey.read_explanation()
        journey.answer_screening()
        journey.understanding_check_with_one_wrong_answer(visit)
        journey.tick_consent_boxes()
        tablet.get_by_label("Type your full name").fill("Zoë Okafor")
        journey.draw_signature_with_a_finger()
        tablet.get_by_role("button", name="Sign my consent").click()
        journey.after_signing()
        tablet.get_by_role("button", name="Finished? Hand the tablet back").click()
        tablet.wait_for_url(f"{base}/staff/kiosk/locked/")
        journey.seen("handed-back")
        assert tablet.goto(f"{base}/patient/").status == 404
    finally:
        tablet.context.close()

    # The clinician reviews the screening and confirms the consent discussion at a desk.
    staff_log_in(desktop, base, "dr-ines")
    desktop.get_by_role("link", name="Review queue").click()
    desktop.get_by_role("link", name="Review Zoë Okafor").click()
    desktop.get_by_role("heading", name="Clinical review: Zoë Okafor").wait_for()
    snap(desktop, "kiosk-05-clinical-review")
    assert_accessible(desktop)
    desktop.get_by_label("Reviewed: fine to go ahead").check()
    desktop.get_by_role("button", name="Save review").click()
    desktop.get_by_text("Your review was saved").wait_for()
    desktop.goto(f"{base}/staff/visits/{visit.pk}/review/")
    desktop.get_by_role("link", name="Open the PDF and confirm the consent discussion").click()
    desktop.get_by_role("heading", name="Consent: Zoë Okafor").wait_for()
    snap(desktop, "kiosk-06-consent-detail")
    assert_accessible(desktop)
    desktop.get_by_label("I discussed this consent with the patient", exact=False).check()
    desktop.get_by_role("button", name="Confirm the consent discussion").click()
    desktop.get_by_text("Confirmed by Inés Núñez on").wait_for(timeout=60_000)
    snap(desktop, "kiosk-07-consent-confirmed")
    assert_accessible(desktop)
    visit.refresh_from_db()
    assert visit.confirmed_at is not None
    assert ConsentRecord.objects.get(visit=visit).confirmed_at is not None
    assert desktop.js_errors == []


def test_a_patient_closes_the_browser_mid_screening_and_carries_on_from_the_same_link(
    live_server, browser, snap, assert_accessible
):
    from tests.e2e.conftest import PHONE, _new_page

    visit = VisitFactory(scheduled_at=timezone.now() + timedelta(days=2))
    token = new_token()
    AccessLinkFactory(visit=visit, token=token)

    first = _new_page(browser, PHONE)
    journey = Journey(first, live_server, snap, assert_accessible, prefix="before-")
    journey.open_link(token, visit.patient.date_of_birth)
    journey.read_explanation()
    journey.answer_screening(stop_after="pain")
    first.get_by_role("button", name="Save and continue").click()
    first.wait_for_url(f"{live_server.url}/patient/screening/your-activities/")
    journey.fill(CALM_ACTIVITIES)
    first.get_by_role("button", name="Save and continue").click()
    first.wait_for_url(f"{live_server.url}/patient/screening/safety/")
    first.locator('input[name="unwell_today"][value="no"]').check()  # typed, never saved
    first.context.close()  # the browser is closed: its session cookie is gone

    second = _new_page(browser, PHONE)
    try:
        journey = Journey(second, live_server, snap, assert_accessible, prefix="after-")
        journey.open_link(token, visit.patient.date_of_birth)
        assert second.get_by_text("Done").first.is_visible()
        second.get_by_role("link", name="Continue: Health questions").click()
        second.wait_for_url(f"{live_server.url}/patient/screening/safety/")
        journey.seen("back-where-they-left-off")
        assert not second.locator('input[name="unwell_today"]:checked').count()
        second.goto(f"{live_server.url}/patient/screening/pain/")
        assert second.locator('[name="main_complaint"]').input_value() == CALM_ANSWERS["pain"]["main_complaint"]
        assert second.locator('input[name="pain_regions"][value="calf_shin"]').is_checked()
        journey.seen("earlier-answers-kept")
    finally:
        second.context.close()


CHECK_ALL_RIGHT = {**CHECK_ONE_WRONG, "breathless": "emergency"}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def a_patient_past_every_step(language: str) -> tuple[Visit, str]:
    """Screened, checked, signed and visited yesterday: every patient page has something to show.

    Built in a thread of its own: sealing the PDF runs its own event loop, and Playwright's runs here.
    """
    import threading

    from django.test import Client

    from consent.demo import demo_signature_png
    from consent.services import sign_consent, version_to_sign
    from intake.journey.understanding import record_attempt
    from tests.factories import VisitRecordFactory
    from tests.screening.screening_data import answer_everything

    visit, token = ready_to_sign(first_name="Zoë", last_name="Okafor")
    Visit.objects.filter(pk=visit.pk).update(language=language, understanding_done_at=None, screening_done_at=None)

    def build():
        client = Client()
        client.post(f"/p/{token}/", {"date_of_birth": visit.patient.date_of_birth.isoformat()})
        answer_everything(client)
        fresh = Visit.objects.get(pk=visit.pk)
        record_attempt(visit=fresh, answers=CHECK_ALL_RIGHT)
        version = version_to_sign(fresh)
        sign_consent(
            visit=fresh,
            version=version,
            signer_name="Zoë Okafor",
            signature_png=demo_signature_png(),
            acknowledgements={
                "electronic_signature": True,
                "read_and_understood": True,
                "voluntary": True,
                "guardian_involved_minor": False,
                "risks": [risk["name"] for risk in version.risks],
            },
            time_zone="Europe/Madrid",
            ip="203.0.113.7",
            user_agent="Mozilla/5.0 (test)",
        )
        record = VisitRecordFactory(
            visit=fresh, regions=["neck"], treated_at=timezone.now() - timedelta(hours=20), recorded_by=fresh.clinician
        )
        fresh.mark("visited_at", record.treated_at)

    builder = threading.Thread(target=build)
    builder.start()
    builder.join()
    return Visit.objects.get(pk=visit.pk), token


PATIENT_PAGES = [
    ("progress", "/patient/"),
    ("explanation", "/patient/about-dry-needling/"),
    ("answers", "/patient/screening/answers/"),
    ("check", "/patient/check/"),
    ("consent", "/patient/consent/signed/"),
    ("before", "/patient/before-your-visit/"),
    ("aftercare", "/patient/aftercare/"),
    ("check-in", "/patient/aftercare/check-in/24h/"),
    ("withdraw", "/patient/consent/withdraw/"),
]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_patient_page_works_at_a_desk_with_text_at_200_percent_and_reflows_at_320_px(
    live_server, desktop, snap, assert_accessible, language
):
    visit, token = a_patient_past_every_step(language)
    journey = Journey(desktop, live_server, snap, assert_accessible, language=language, prefix=f"{language}-desk-")
    journey.open_link(token, visit.patient.date_of_birth)
    assert desktop.locator("html").get_attribute("lang") == language
    for name, path in PATIENT_PAGES:
        response = desktop.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        journey.seen(name)
        # Text at 200%: the rem-based layout reflows; nothing needs scrolling sideways.
        desktop.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
        assert desktop.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways with text at 200%"
        snap(desktop, f"{language}-desk-{name}-text-200")
        desktop.evaluate("() => { document.documentElement.style.fontSize = ''; }")
        # Reflow (WCAG 1.4.10): at 320 CSS pixels wide, still one column and no sideways scrolling.
        desktop.set_viewport_size({"width": 320, "height": 900})
        assert desktop.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways at 320 px"
        desktop.set_viewport_size({"width": 1280, "height": 900})

    # The aftercare PDF and the signed consent come in the patient's language too.
    aftercare_pdf = desktop.request.get(f"{live_server.url}/patient/aftercare/aftercare.pdf")
    assert aftercare_pdf.ok
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(aftercare_pdf.body())).pages)
    assert WORDS[language]["aftercare_pdf"] in text
    assert WORDS[language]["consent_title"] in journey.signed_copy()
