"""Every PDF the portal makes is PDF/A-3b and tagged, and stays so after the clinic's seal.

Checked with pikepdf on each kind (consent, clinician addendum, aftercare sheet) in English and Spanish.
This is the portal's own quick check; docs/consent.md names veraPDF for a full validation.
"""

from __future__ import annotations

import io
import json

import pikepdf
import pytest

from consent import services
from consent.documents import EVIDENCE_NAME
from tests.aftercare.conftest import record_visit
from tests.consent.conftest import stored
from tests.factories import AccessLinkFactory, VisitFactory
from tests.helpers import open_patient_session

PDFA_ID = "{http://www.aiim.org/pdfa/ns/id/}"
XMP_PRODUCER = "{http://ns.adobe.com/pdf/1.3/}Producer"


def _fonts(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        for font in (page.Resources.get("/Font") or {}).values():
            yield font
            yield from font.get("/DescendantFonts", [])


def _embedded(font) -> bool:
    descriptor = font.get("/FontDescriptor")
    if font.get("/Subtype") in ("/Type0", "/Type3"):
        return True  # Type0 is checked through its descendant; Type3 glyphs are content streams
    return descriptor is not None and any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def assert_archival(data: bytes, *, language: str, attachment: str | None = None) -> pikepdf.Pdf:
    pdf = pikepdf.open(io.BytesIO(data))
    assert not pdf.is_encrypted
    assert pdf.pdf_version == "1.7" and "/Version" not in pdf.Root  # PDF/A-3 is PDF 1.7
    with pdf.open_metadata() as xmp:
        assert xmp.get(PDFA_ID + "part") == "3"
        assert xmp.get(PDFA_ID + "conformance") == "B"
        assert xmp.get(XMP_PRODUCER) == str(pdf.docinfo["/Producer"])  # one producer, in XMP and Info
    intents = pdf.Root.OutputIntents
    assert len(intents) >= 1 and intents[0].S == "/GTS_PDFA1" and "/DestOutputProfile" in intents[0]
    fonts = list(_fonts(pdf))
    assert fonts and all(_embedded(font) for font in fonts)
    assert "/StructTreeRoot" in pdf.Root
    assert bool(pdf.Root.MarkInfo.Marked) is True
    assert str(pdf.Root.Lang) == language
    assert "/JavaScript" not in pdf.Root.get("/Names", {}) and "/OpenAction" not in pdf.Root
    if attachment:
        assert attachment in pdf.attachments
        # WeasyPrint 70 lists the one file spec twice in /AF (same object): harmless, so compare the set.
        assert {(spec.objgen, str(spec.AFRelationship)) for spec in pdf.Root.AF} == {(pdf.Root.AF[0].objgen, "/Data")}
    return pdf


def evidence_of(pdf: pikepdf.Pdf) -> dict:
    return json.loads(pdf.attachments[EVIDENCE_NAME].get_file().read_bytes())


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_signed_consent_and_its_addendum_are_pdfa_3b_tagged_and_carry_their_evidence(
    db, clinician, sign, language, caplog
):
    visit = VisitFactory(language=language, clinician=clinician, ready_to_sign=True)
    record = sign(visit, version=services.version_to_sign(visit))
    consent = assert_archival(stored(record.pdf.name), language=language, attachment=EVIDENCE_NAME)
    evidence = evidence_of(consent)
    assert evidence["document"] == "consent"
    assert evidence["consent_record"] == str(record.pk)
    assert evidence["consent_text_sha256"] == record.text_sha256
    assert [event["step"] for event in evidence["events"]][-1] == "signed_at"
    raw = json.dumps(evidence)
    assert visit.patient.full_name not in raw and visit.patient.date_of_birth.isoformat() not in raw
    assert "203.0.113.7" not in raw  # no IP or device in the machine-readable copy

    confirmed = services.confirm_consent(record=record, clinician=clinician)
    addendum = assert_archival(stored(confirmed.confirmation_pdf.name), language=language, attachment=EVIDENCE_NAME)
    assert evidence_of(addendum)["signed_pdf_sha256"] == record.pdf_sha256
    assert not [entry for entry in caplog.records if entry.name == "weasyprint" and entry.levelname == "ERROR"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_aftercare_sheet_is_pdfa_3b_and_tagged(client, db, language, caplog):
    from intake.links.tokens import new_token

    visit = VisitFactory(language=language)
    token = new_token()
    open_patient_session(client, token, AccessLinkFactory(visit=visit, token=token))
    record_visit(visit, regions=["upper_back"])
    response = client.get("/patient/aftercare/aftercare.pdf")
    assert response.status_code == 200
    assert_archival(response.content, language=language)
    assert not [entry for entry in caplog.records if entry.name == "weasyprint" and entry.levelname == "ERROR"]
