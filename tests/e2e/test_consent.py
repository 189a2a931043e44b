"""Signing the consent on a 390 px phone: a finger-drawn signature, the keyboard-only typed path, no JavaScript."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from consent.demo import seed_versions
from consent.models import ConsentRecord
from intake.links.tokens import new_token
from tests.e2e.conftest import PHONE, SCREENS
from tests.factories import AccessLinkFactory

pytestmark = pytest.mark.django_db(transaction=True)


def ready_link(**patient):
    seed_versions()
    token = new_token()
    link = AccessLinkFactory(
        token=token,
        visit__understanding_done_at=timezone.now(),
        **{f"visit__patient__{key}": value for key, value in patient.items()},
    )
    return link, token


def open_consent(page, live_server, link, token):
    page.goto(f"{live_server.url}/p/{token}/")
    page.get_by_label("Your date of birth").fill(link.visit.patient.date_of_birth.isoformat())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/patient/")
    page.goto(f"{live_server.url}/patient/consent/")
    page.get_by_role("heading", name="Read and sign your consent").wait_for()


def left_the_signing_page(url: str) -> bool:
    """After signing the patient is sent on to "before your visit" (or their progress page)."""
    return "/patient/" in url and "/patient/consent/" not in url


def tick_every_box(page):
    boxes = page.locator("#consent-form input[type=checkbox]:not([name=cannot_draw])")
    for index in range(boxes.count()):
        boxes.nth(index).check()


def draw_signature(page):
    canvas = page.locator("canvas.signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x0, y0 = box["x"] + 20, box["y"] + box["height"] * 0.6
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 40):
        page.mouse.move(x0 + step * 7, y0 - 30 * ((step % 8) / 8) + (step % 3) * 4, steps=2)
    page.mouse.up()


def test_a_patient_signs_with_a_finger_drawn_signature_on_a_phone(live_server, phone, snap, assert_accessible):
    link, token = ready_link(first_name="Zoë", last_name="Ölander")
    open_consent(phone, live_server, link, token)
    snap(phone, "1-sign-page")
    assert_accessible(phone)

    # Submitting an empty form explains what is missing, on the fields.
    phone.get_by_role("button", name="Sign my consent").click()
    phone.get_by_text("There is a problem").wait_for()
    assert phone.locator("#signature-error").is_visible()
    snap(phone, "2-errors")
    assert_accessible(phone)

    tick_every_box(phone)
    phone.get_by_label("Type your full name").fill("zoe olander")
    draw_signature(phone)
    snap(phone, "3-drawn")
    phone.get_by_role("button", name="Sign my consent").click()
    phone.wait_for_url(left_the_signing_page)
    record = ConsentRecord.objects.get(visit=link.visit)
    assert record.signature_method == "drawn"
    assert record.signature_png and bytes(record.signature_png).startswith(b"\x89PNG")
    assert record.signed_time_zone  # the browser's zone
    assert "Mobile" in record.user_agent or "Chrome" in record.user_agent
    snap(phone, "4-after-signing")
    assert not phone.js_errors

    phone.goto(f"{live_server.url}/patient/consent/signed/")
    snap(phone, "5-signed")
    assert_accessible(phone)
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Download your signed copy (PDF)").click()
    downloaded = Path(download_info.value.path()).read_bytes()
    with default_storage.open(record.pdf.name, "rb") as handle:
        assert downloaded == handle.read()

    # Keep page images of the PDF next to the screenshots, to look at.
    pdf_path = SCREENS / "consent-signed.pdf"
    pdf_path.write_bytes(downloaded)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), str(SCREENS / "consent-pdf")], check=True)


def test_the_typed_only_path_works_with_the_keyboard_alone(live_server, phone, snap):
    link, token = ready_link(first_name="Liam", last_name="O'Brien")
    open_consent(phone, live_server, link, token)
    form = phone.locator("#consent-form")
    # Tab to each box and press Space, as a keyboard user would.
    boxes = form.locator("input[type=checkbox]:not([name=cannot_draw])")
    for index in range(boxes.count()):
        boxes.nth(index).focus()
        phone.keyboard.press("Space")
    phone.get_by_label("Type your full name").focus()
    phone.keyboard.type("Liam O'Brien")
    phone.get_by_label("I can't draw a signature").focus()
    phone.keyboard.press("Space")
    assert phone.locator("[data-signature-pad]").is_hidden()
    snap(phone, "typed-only")
    phone.get_by_role("button", name="Sign my consent").focus()
    phone.keyboard.press("Enter")
    phone.wait_for_url(left_the_signing_page)
    assert ConsentRecord.objects.get(visit=link.visit).signature_method == "typed"


def test_with_javascript_off_the_patient_signs_with_their_typed_name(live_server, browser, snap):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        link, token = ready_link(first_name="Mei", last_name="Chen")
        open_consent(page, live_server, link, token)
        assert page.locator("[data-signature-pad]").is_hidden()
        assert page.get_by_text("Drawing a signature needs JavaScript").is_visible()
        tick_every_box(page)
        page.get_by_label("Type your full name").fill("Mei Chen")
        page.get_by_label("I can't draw a signature").check()
        snap(page, "no-js")
        page.get_by_role("button", name="Sign my consent").click()
        page.wait_for_url(left_the_signing_page)
        record = ConsentRecord.objects.get(visit=link.visit)
        assert record.signature_method == "typed"
    finally:
        context.close()


def test_a_clinician_reviews_the_pdf_inline_and_confirms_the_discussion(live_server, desktop, snap, assert_accessible):
    from django.contrib.auth.models import Group

    from consent.services import sign_consent
    from portal.roles import Role, sync_role_permissions
    from tests.consent.conftest import full_acknowledgements
    from tests.factories import TEST_PASSWORD, UserFactory

    for role in Role:  # transactional tests empty the tables, groups included
        Group.objects.get_or_create(name=role.value)
    sync_role_permissions()
    clinician = UserFactory(username="dr-e2e", first_name="Cal", last_name="Physio", role=Role.CLINICIAN)
    link, _token = ready_link(first_name="Eleni", last_name="Papadopoulou")
    version = seed_versions()
    record = sign_consent(
        visit=link.visit,
        version=version,
        signer_name="Eleni Papadopoulou",
        signature_png=None,
        acknowledgements=full_acknowledgements(version),
        time_zone="Europe/Athens",
        send_email=False,
    )

    desktop.goto(f"{live_server.url}/accounts/login/")
    desktop.get_by_label("Username").fill(clinician.username)
    desktop.get_by_label("Password").fill(TEST_PASSWORD)
    desktop.get_by_role("button", name="Sign in").click()
    desktop.wait_for_url(f"{live_server.url}/staff/")
    desktop.goto(f"{live_server.url}/staff/consent/{record.pk}/")
    desktop.get_by_role("heading", name="Consent: Eleni Papadopoulou").wait_for()
    frame = desktop.locator("iframe.consent-pdf-frame")
    assert frame.is_visible()
    snap(desktop, "1-review")
    assert_accessible(desktop)

    desktop.get_by_label("I discussed this consent").check()
    desktop.get_by_role("button", name="Confirm the consent discussion").click()
    desktop.get_by_text("Consent confirmed").wait_for()
    snap(desktop, "2-confirmed")
    record.refresh_from_db()
    assert record.confirmed_by == clinician
