import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.models import AuditEvent


@pytest.fixture
def signed_in(client, patient_link):
    link, token = patient_link
    response = client.post(f"/p/{token}/", {"date_of_birth": link.visit.patient.date_of_birth.isoformat()})
    assert response.status_code == 302
    return link


def test_a_signed_in_patient_switches_their_visit_to_spanish(client, signed_in):
    response = client.post(reverse("patient_language"), {"language": "es", "next": "/patient/"})

    assert response.status_code == 302
    assert response["Location"] == "/patient/"
    signed_in.visit.refresh_from_db()
    assert signed_in.visit.language == "es"
    event = AuditEvent.objects.get(action="visit.language_changed")
    assert event.details == {"language": "es"}
    assert event.patient == signed_in.visit.patient
    page = client.get("/patient/").content.decode()
    assert '<html lang="es">' in page
    assert "Ir al contenido principal" in page


def _patient_frame(rf, language: str) -> str:
    request = rf.get("/patient/explanation/?section=2")
    with translation.override(language):
        return render_to_string("patient_base.html", request=request)


def test_every_patient_page_offers_the_other_language_in_its_own_name(rf):
    english = _patient_frame(rf, "en")
    assert '<button type="submit" name="language" value="es" lang="es"' in english
    assert ">Español</button>" in english and ">English</button>" not in english
    assert 'name="next" value="/patient/explanation/?section=2"' in english

    spanish = _patient_frame(rf, "es")
    assert ">English</button>" in spanish and ">Español</button>" not in spanish
    assert 'aria-label="Idioma"' in spanish


def test_without_a_signed_in_visit_the_choice_only_sets_the_language_cookie(client, visit):
    response = client.post(reverse("patient_language"), {"language": "es", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "es"
    assert "patient_language" not in client.session
    visit.refresh_from_db()
    assert visit.language == "en"
    assert not AuditEvent.objects.filter(action="visit.language_changed").exists()


def test_a_choice_made_while_signed_out_never_outranks_the_visit_language(client, patient_link):
    link, token = patient_link
    client.post(reverse("patient_language"), {"language": "es", "next": "/"})
    client.post(f"/p/{token}/", {"date_of_birth": link.visit.patient.date_of_birth.isoformat()})

    page = client.get("/patient/").content.decode()
    assert '<html lang="en">' in page  # pages, consent text and PDF all follow the visit's language


def test_choosing_the_visit_language_again_writes_no_event(client, signed_in):
    client.post(reverse("patient_language"), {"language": "en", "next": "/patient/"})
    assert not AuditEvent.objects.filter(action="visit.language_changed").exists()


def test_it_refuses_a_language_the_portal_does_not_have(client, signed_in):
    response = client.post(reverse("patient_language"), {"language": "xx", "next": "/patient/"})
    assert response.status_code == 400
    signed_in.visit.refresh_from_db()
    assert signed_in.visit.language == "en"


def test_it_never_sends_the_patient_to_another_site(client, signed_in):
    response = client.post(reverse("patient_language"), {"language": "es", "next": "https://evil.example/"})
    assert response["Location"] == reverse("journey:progress")


def test_it_only_answers_posts(client, signed_in):
    assert client.get(reverse("patient_language")).status_code == 405
