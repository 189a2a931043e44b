"""Appointment import: preview with a verdict per row, confirm in one transaction, idempotent re-import,
and every kind of bad file refused with a clear message and nothing written."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from api.models import ExternalVisitId, ImportBatch, ImportMapping
from intake.models import AccessLink, CourseStatus, Patient, Visit
from portal.models import AuditEvent
from tests.factories import CourseFactory, PatientFactory

pytestmark = pytest.mark.django_db

HEADER = "Appointment ID,First name,Last name,Date of birth,Appointment,Email,Phone\n"


def day(n: int = 1) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def csv_file(
    *lines: str, header: str = HEADER, name: str = "appointments.csv", encoding: str = "utf-8"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (header + "".join(line + "\n" for line in lines)).encode(encoding), "text/csv")


def form_data(upload, **overrides) -> dict:
    data = {
        "file": upload,
        "source": "cliniko",
        "date_format": "iso",
        "col_external_id": "Appointment ID",
        "col_first_name": "First name",
        "col_last_name": "Last name",
        "col_date_of_birth": "Date of birth",
        "col_scheduled_at": "Appointment",
        "col_email": "Email",
        "col_phone": "Phone",
        "col_language": "",
        "col_clinician": "",
        "name_from": "attendee",
        "name_label": "Patient",
        "dob_label": "DOB",
        "email_from": "attendee",
        "email_label": "Email",
        "phone_label": "Phone",
    }
    data.update(overrides)
    return data


@pytest.fixture
def desk(as_user, reception):
    return as_user(reception)


def upload(client, file, **overrides):
    return client.post("/staff/integrations/import/", form_data(file, **overrides))


def good_file():
    return csv_file(
        f"A-1,Zoë,Ortiz,1980-02-03,{day()} 09:30,zoe@example.com,+34 600 123 456",
        f"A-2,Ana,Ruiz,1990-05-06,{day()} 10:30,,",
        f"A-3,Known,Person,1970-01-01,{day(2)} 11:00,known@example.com,",
    )


def test_the_preview_gives_each_row_a_verdict_and_writes_nothing(desk):
    PatientFactory(first_name="Known", last_name="Person", date_of_birth="1970-01-01")
    response = upload(desk, good_file())
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert [row["verdict"] for row in batch.rows] == ["new patient", "new patient", "matched patient"]
    assert Visit.objects.count() == 0 and Patient.objects.count() == 1
    page = desk.get(response["Location"]).content.decode()
    assert "Import 3 visits" in page and "Zoë" in page


def test_confirming_creates_the_visits_once_and_a_reimport_creates_nothing(
    desk, django_capture_on_commit_callbacks, mailoutbox
):
    preview = upload(desk, good_file())["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(preview, {"send_links": "on"})
    assert Visit.objects.count() == 3 and ExternalVisitId.objects.filter(source="cliniko").count() == 3
    assert sorted(m.to[0] for m in mailoutbox) == ["known@example.com", "zoe@example.com"]
    assert ImportBatch.objects.get().rows == []  # names and dates of birth are not kept
    desk.post(preview)  # a second confirm of the same preview
    again = upload(desk, good_file())["Location"]
    batch = ImportBatch.objects.latest("created_at")
    assert {row["verdict"] for row in batch.rows} == {"duplicate"}
    assert "Nothing new in this file" in desk.get(again).content.decode()
    desk.post(again)
    assert Visit.objects.count() == 3
    assert AuditEvent.objects.filter(action="import.confirmed").count() == 2


def test_the_mapping_is_remembered_for_the_next_upload(desk):
    file = csv_file(
        f"X9,Eva,Lopez,03/02/1980,{(timezone.localdate() + timedelta(days=1)):%d/%m/%Y} 09:00",
        header="Ref,Given,Family,Born,When\n",
    )
    upload(
        desk,
        file,
        date_format="dmy",
        col_external_id="Ref",
        col_first_name="Given",
        col_last_name="Family",
        col_date_of_birth="Born",
        col_scheduled_at="When",
        col_email="",
        col_phone="",
    )
    assert ImportBatch.objects.get().rows[0]["date_of_birth"] == "1980-02-03"
    assert ImportMapping.objects.get(kind="csv").mapping["columns"]["external_id"] == "Ref"
    page = desk.get("/staff/integrations/import/").content.decode()
    assert 'value="Ref"' in page and 'value="dmy" selected' in page


def test_a_duplicate_line_in_the_file_is_a_duplicate(desk):
    upload(desk, csv_file(f"A-1,Ana,Ruiz,1990-05-06,{day()} 10:30,,", f"A-1,Ana,Ruiz,1990-05-06,{day()} 10:30,,"))
    assert [row["verdict"] for row in ImportBatch.objects.get().rows] == ["new patient", "duplicate"]


class TestBadFiles:
    def refused(self, desk, file, **overrides) -> str:
        response = upload(desk, file, **overrides)
        assert response.status_code == 400
        assert ImportBatch.objects.count() == 0 and Visit.objects.count() == 0
        return response.content.decode()

    def test_wrong_encoding(self, desk):
        page = self.refused(desk, csv_file(f"A-1,Zoë,Ortiz,1980-02-03,{day()} 09:30,,", encoding="utf-16"))
        assert "not in UTF-8" in page

    def test_missing_columns(self, desk):
        page = self.refused(desk, csv_file("A-1,Zoë", header="Appointment ID,First name\n"))
        assert "These columns are missing" in page and "Date of birth" in page

    def test_too_many_rows(self, desk, settings):
        settings.IMPORT_MAX_ROWS = 100
        lines = [f"A-{n},Pat,Example,1980-02-03,{day()} 09:30,," for n in range(101)]
        page = self.refused(desk, csv_file(*lines))
        assert "more than 100 appointments" in page

    def test_fifty_thousand_rows_are_refused_quickly_and_clearly(self, desk):
        lines = [f"A-{n},Pat,Example,1980-02-03,{day()} 09:30,," for n in range(50_000)]
        page = self.refused(desk, csv_file(*lines))
        assert "more than 5,000 appointments" in page

    def test_an_empty_file(self, desk):
        response = upload(desk, SimpleUploadedFile("a.csv", b"", "text/csv"))  # the form's own check
        assert "The submitted file is empty." in response.content.decode()
        assert ImportBatch.objects.count() == 0
        assert "empty" in self.refused(desk, SimpleUploadedFile("a.csv", b"\n\n", "text/csv"))

    def test_a_header_without_rows(self, desk):
        assert "no appointments" in self.refused(desk, csv_file())

    def test_a_malformed_calendar(self, desk):
        page = self.refused(
            desk, SimpleUploadedFile("cal.ics", b"BEGIN:VCALENDAR\r\nthis is not ical\r\n", "text/calendar")
        )
        assert "not a calendar" in page

    def test_another_kind_of_file(self, desk):
        response = upload(desk, SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff", "image/jpeg"))
        assert response.status_code == 200 and "Upload a .csv file" in response.content.decode()
        assert ImportBatch.objects.count() == 0


class TestBadRows:
    def verdicts(self, desk, *lines):
        upload(desk, csv_file(*lines))
        return [(row["verdict"], row["reason"]) for row in ImportBatch.objects.get().rows]

    def test_a_formula_in_a_cell_is_an_error_but_a_phone_number_is_not(self, desk):
        rows = self.verdicts(
            desk,
            f'A-1,"=HYPERLINK(""http://x"")",Ortiz,1980-02-03,{day()} 09:30,,',
            f"A-2,Ana,Ruiz,1990-05-06,{day()} 10:30,,+1 201 555 0123",
            f"A-3,Ana,-cmd|calc,1990-05-06,{day()} 10:30,,",
        )
        assert rows[0] == ("error", "The first name cell starts like a spreadsheet formula.")
        assert rows[1][0] == "new patient"
        assert rows[2][0] == "error"

    def test_a_date_in_the_wrong_format(self, desk):
        rows = self.verdicts(desk, f"A-1,Zoë,Ortiz,03/02/1980,{day()} 09:30,,", "A-2,Ana,Ruiz,1990-05-06,tomorrow,,")
        assert rows[0] == ("error", "The date of birth “03/02/1980” is not a date in the format YYYY-MM-DD.")
        assert rows[1][0] == "error" and "is not a date and time" in rows[1][1]

    def test_missing_values_and_past_appointments(self, desk):
        past = (timezone.localdate() - timedelta(days=3)).isoformat()
        rows = self.verdicts(desk, f"A-1,,Ortiz,1980-02-03,{day()} 09:30,,", f"A-2,Ana,Ruiz,1990-05-06,{past} 10:30,,")
        assert rows == [("error", "Missing: first name."), ("error", "The appointment is in the past.")]

    def test_a_file_with_an_error_row_cannot_be_confirmed(self, desk):
        preview = upload(
            desk, csv_file(f"A-1,Zoë,Ortiz,1980-02-03,{day()} 09:30,,", f"A-2,Ana,Ruiz,bad,{day()} 10:30,,")
        )["Location"]
        page = desk.get(preview).content.decode()
        assert "nothing can be imported yet" in page and "Import 1 visit" not in page
        desk.post(preview)
        assert Visit.objects.count() == 0


ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Practice//EN\r
BEGIN:VEVENT\r
UID:evt-1@practice.example\r
DTSTART:{start}\r
SUMMARY:Dry needling\r
ATTENDEE;CN=Aiko Nakamura:mailto:aiko@example.com\r
DESCRIPTION:DOB: 1975-06-30\\nPhone: 201-555-0123\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:evt-2@practice.example\r
DTSTART;VALUE=DATE:{day}\r
SUMMARY:Clinic closed\r
END:VEVENT\r
END:VCALENDAR\r
"""


def ics_file() -> SimpleUploadedFile:
    start = (timezone.now() + timedelta(days=1)).strftime("%Y%m%dT%H%M00Z")
    text = ICS.format(start=start, day=(timezone.localdate() + timedelta(days=1)).strftime("%Y%m%d"))
    return SimpleUploadedFile("export.ics", text.encode(), "text/calendar")


def test_a_calendar_export_is_read_from_the_mapped_fields(desk):
    upload(desk, ics_file(), source="calendar")
    rows = ImportBatch.objects.get().rows
    assert (rows[0]["first_name"], rows[0]["last_name"], rows[0]["date_of_birth"]) == ("Aiko", "Nakamura", "1975-06-30")
    assert (rows[0]["email"], rows[0]["phone"], rows[0]["external_id"]) == (
        "aiko@example.com",
        "+12015550123",  # as the patient forms store a phone
        "evt-1@practice.example",
    )
    assert rows[1]["verdict"] == "error" and "all-day" in rows[1]["reason"]


def test_a_calendar_with_good_events_imports_them_once(desk):
    start = (timezone.now() + timedelta(days=1)).strftime("%Y%m%dT%H%M00Z")
    text = ICS.split("BEGIN:VEVENT\r\nUID:evt-2")[0].format(start=start) + "END:VCALENDAR\r\n"
    preview = upload(desk, SimpleUploadedFile("a.ics", text.encode(), "text/calendar"), source="calendar")["Location"]
    desk.post(preview)
    again = upload(desk, SimpleUploadedFile("a.ics", text.encode(), "text/calendar"), source="calendar")["Location"]
    desk.post(again)
    assert Visit.objects.count() == 1
    assert ExternalVisitId.objects.get().external_id == "evt-1@practice.example"


def test_a_calendar_time_with_no_zone_is_clinic_time_whatever_the_date_format(desk):
    start = (timezone.localdate() + timedelta(days=1)).strftime("%Y%m%dT093000")  # "floating"
    text = ICS.split("BEGIN:VEVENT\r\nUID:evt-2")[0].format(start=start) + "END:VCALENDAR\r\n"
    text = text.replace("1975-06-30", "30/06/1975")
    upload(desk, SimpleUploadedFile("a.ics", text.encode(), "text/calendar"), source="calendar", date_format="dmy")
    (row,) = ImportBatch.objects.get().rows
    assert row["verdict"] == "new patient"
    assert timezone.localtime(datetime.fromisoformat(row["scheduled_at"])).strftime("%H:%M") == "09:30"


def test_someone_elses_preview_is_not_found(as_user, desk, clinic_admin):
    preview = upload(desk, good_file())["Location"]
    assert as_user(clinic_admin).get(preview).status_code == 404


def test_previews_left_unconfirmed_for_a_day_lose_their_rows_but_keep_who_when_and_counts(desk, time_machine):
    time_machine.move_to(timezone.now() - timedelta(days=2))
    old_preview = upload(desk, good_file())["Location"]
    time_machine.move_to(timezone.now() + timedelta(days=2))
    upload(desk, good_file())
    old, new = ImportBatch.objects.order_by("created_at")
    assert old.rows == [] and old.rows_cleared_at is not None
    assert old.summary == {"rows": 3, "new patient": 3} and old.created_by.username == "reception-user"
    assert len(new.rows) == 3 and new.rows_cleared_at is None
    page = desk.get(old_preview).content.decode()
    assert "This preview has expired" in page and "Zoë" not in page and "3 rows" in page
    desk.post(old_preview, {"send_links": "on"})  # an expired preview cannot be imported
    assert Visit.objects.count() == 0
    old.refresh_from_db()
    assert old.confirmed_at is None


# --- QA review: every value the API refuses is an error row; confirm never fails or re-sends -----------


class TestValuesTheApiRefuses:
    """Each bad value is an error row with the API's own sentence, and nothing is written."""

    def reason(self, desk, line: str, header: str = HEADER) -> str:
        upload(desk, csv_file(line, header=header), col_language="Language")
        (row,) = ImportBatch.objects.get().rows
        assert row["verdict"] == "error"
        assert Visit.objects.count() == 0 and Patient.objects.count() == 0
        return row["reason"]

    def test_an_invalid_email(self, desk):
        reason = self.reason(desk, f"A-1,Zoë,Ortiz,1980-02-03,{day()} 09:30,not-an-email,")
        assert reason == "This is not an email address."

    def test_a_phone_that_is_not_a_number(self, desk):
        reason = self.reason(desk, f"A-1,Zoë,Ortiz,1980-02-03,{day()} 09:30,,call me maybe")
        assert "phone number" in reason

    def test_a_language_that_only_starts_like_one(self, desk):
        header = HEADER.strip() + ",Language\n"
        reason = self.reason(desk, f"A-1,Zoë,Ortiz,1980-02-03,{day()} 09:30,,,estonian", header=header)
        assert reason == "The language must be en or es."

    def test_a_date_of_birth_before_1900(self, desk):
        reason = self.reason(desk, f"A-1,Zoë,Ortiz,0202-02-03,{day()} 09:30,,")
        assert reason == "The date of birth is before 1900. Check the year."

    @pytest.mark.parametrize("when", ["date_only", "week_date"])
    def test_an_appointment_with_no_time(self, desk, when):
        value = {"date_only": day(), "week_date": (timezone.localdate() + timedelta(days=7)).strftime("%G-W%V-%u")}
        reason = self.reason(desk, f"A-1,Zoë,Ortiz,1980-02-03,{value[when]},,")
        assert "is not a date and time like YYYY-MM-DD HH:MM" in reason


def test_good_values_are_kept_as_the_portal_stores_them(desk):
    header = HEADER.strip() + ",Language\n"
    file = csv_file(f"A-1,Zoë,Ortiz,1980-02-03,{day()}T09:30:00+05:00,,201-555-0123,ES", header=header)
    upload(desk, file, col_language="Language")
    (row,) = ImportBatch.objects.get().rows
    assert row["verdict"] == "new patient"
    assert (row["phone"], row["language"]) == ("+12015550123", "es")


def test_confirming_with_links_never_fails_on_an_address_an_older_preview_let_through(
    desk, django_capture_on_commit_callbacks, mailoutbox
):
    """A preview stored before the email check (verdict "new patient") is checked again on confirm."""
    preview = upload(desk, csv_file(f"A-1,Zoë,Ortiz,1980-02-03,{day()} 09:30,zoe@example.com,"))["Location"]
    batch = ImportBatch.objects.get()
    batch.rows = [{**batch.rows[0], "email": "not-an-email"}]
    batch.save(update_fields=["rows"])
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(preview, {"send_links": "on"}, follow=True)
    assert response.status_code == 200
    assert "Line 2: This is not an email address." in response.content.decode()
    assert Visit.objects.count() == 0 and mailoutbox == []


def test_confirming_an_old_preview_after_the_file_was_imported_sends_nothing_again(
    desk, django_capture_on_commit_callbacks, mailoutbox
):
    first = upload(desk, good_file())["Location"]
    old = upload(desk, good_file())["Location"]  # the same file, previewed before the first was confirmed
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(first, {"send_links": "on"})
    assert len(mailoutbox) == 2
    links = {link.pk for link in AccessLink.objects.filter(revoked_at__isnull=True)}
    with django_capture_on_commit_callbacks(execute=True):
        page = desk.post(old, {"send_links": "on"}, follow=True).content.decode()
    assert "Imported: 0 new visits" in page
    assert len(mailoutbox) == 2  # nobody is messaged again
    assert {link.pk for link in AccessLink.objects.filter(revoked_at__isnull=True)} == links  # nor loses their link
    assert Visit.objects.count() == 3


def test_the_send_box_says_it_sends_to_every_imported_patient_by_email_or_text(desk):
    page = desk.get(upload(desk, good_file())["Location"]).content.decode()
    assert "Send each imported patient their link" in page and "Email each new patient" not in page


def test_the_preview_shows_an_offset_time_in_the_clinic_time_zone(desk, settings):
    settings.TIME_ZONE = "UTC"
    upload(desk, csv_file(f"A-1,Zoë,Ortiz,1980-02-03,{day(3)}T09:30:00+05:00,,"))
    page = desk.get(f"/staff/integrations/import/{ImportBatch.objects.get().pk}/").content.decode()
    assert "04:30" in page and "09:30" not in page


def test_a_discharged_course_names_the_line_the_preview_shows(desk):
    CourseFactory(
        patient=PatientFactory(first_name="Ana", last_name="Ruiz", date_of_birth="1990-05-06"),
        status=CourseStatus.DISCHARGED,
        discharged_at=timezone.now() + timedelta(minutes=1),  # after it opened
        discharge_reason="Recovered",
    )
    preview = upload(
        desk,
        csv_file(f"A-1,Zoë,Ortiz,1980-02-03,{day()} 09:30,,", f"A-2,Ana,Ruiz,1990-05-06,{day()} 10:30,,"),
    )["Location"]
    page = desk.post(preview, follow=True).content.decode()
    assert "Line 3: the patient" in page and "Row 2" not in page
    assert Visit.objects.count() == 0
