"""Appointment import from a CSV or iCalendar file: parse, give each row a verdict, then (on confirm)
create the visits in one transaction through the same service as the API and the invite page.

Nothing is written until reception confirms; a file with any row in error cannot be confirmed (fix it
and upload again). Re-importing a file creates nothing twice: each row's external id is unique per
source (api.ExternalVisitId).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pydantic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from api.models import ExternalVisitId, ImportBatch, ImportMapping
from api.schemas import VisitIn
from intake.models import Language
from intake.patients.services import CourseDischarged, find_matching_patients
from messaging.phones import normalise_phone
from portal import audit
from portal.models import User

MAX_FILE_BYTES = 5 * 1024 * 1024

# The portal's fields and the CSV column each is read from, by default.
CSV_FIELDS = {
    "external_id": "Appointment ID",
    "first_name": "First name",
    "last_name": "Last name",
    "date_of_birth": "Date of birth",
    "scheduled_at": "Appointment",
    "email": "Email",
    "phone": "Phone",
    "language": "Language",
    "clinician": "Clinician",
}
REQUIRED = ("external_id", "first_name", "last_name", "date_of_birth", "scheduled_at")
DATE_FORMATS = {"iso": "%Y-%m-%d", "dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}
DATE_FORMAT_LABELS = {"iso": "YYYY-MM-DD", "dmy": "DD/MM/YYYY", "mdy": "MM/DD/YYYY"}
ICS_DEFAULTS = {
    "name_from": "attendee",  # attendee (its CN) | summary | description (a labelled line)
    "name_label": "Patient",
    "dob_label": "DOB",
    "email_from": "attendee",  # attendee (mailto:) | description
    "email_label": "Email",
    "phone_label": "Phone",
}
DEFAULT_MAPPING: dict[str, dict[str, Any]] = {
    ImportMapping.Kind.CSV: {"columns": CSV_FIELDS, "date_format": "iso", "source": "csv"},
    ImportMapping.Kind.ICS: {**ICS_DEFAULTS, "date_format": "iso", "source": "ics"},
}


class Verdict:
    NEW_PATIENT = "new patient"
    MATCHED = "matched patient"
    DUPLICATE = "duplicate"
    ERROR = "error"


class FileProblem(Exception):
    """The whole file is refused, with a sentence for reception."""


@dataclass
class Row:
    line: int
    external_id: str = ""
    first_name: str = ""
    last_name: str = ""
    date_of_birth: str = ""  # ISO, once parsed
    scheduled_at: str = ""  # ISO with offset, once parsed
    email: str = ""
    phone: str = ""
    language: str = Language.ENGLISH
    clinician: str = ""
    verdict: str = ""
    reason: str = ""


def saved_mapping(kind: str) -> dict:
    stored = ImportMapping.objects.filter(kind=kind).first()
    return {**DEFAULT_MAPPING[kind], **(stored.mapping if stored else {})}


def _looks_like_formula(value: str) -> bool:
    """A cell a spreadsheet would run: =..., @..., or +/- followed by something that is not a number
    (a phone number such as +34 600 123 456 is fine)."""
    if not value:
        return False
    if value[0] in "=@\t\r":
        return True
    return value[0] in "+-" and any(ch.isalpha() or ch in "()" for ch in value[1:])


def _parse_date(value: str, fmt: str, what: str) -> date:
    try:
        return datetime.strptime(value, DATE_FORMATS[fmt]).date()  # noqa: DTZ007 - only the date is kept
    except ValueError:
        raise ValueError(f"{what} “{value[:30]}” is not a date in the format {DATE_FORMAT_LABELS[fmt]}.") from None


def _parse_when(value: str, fmt: str) -> datetime:
    """An appointment: the date in the clinic's format, a space (or T), then HH:MM in the clinic's time zone;
    or a full ISO 8601 time with its offset. A date alone is refused: midnight would be a guess."""
    text = value.strip()
    for pattern in (f"{DATE_FORMATS[fmt]} %H:%M", f"{DATE_FORMATS[fmt]} %H:%M:%S"):
        try:
            return timezone.make_aware(datetime.strptime(text.replace("T", " "), pattern))  # noqa: DTZ007 - clinic time
        except ValueError:
            continue
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or timezone.is_naive(when):
        raise ValueError(f"The appointment “{value[:30]}” is not a date and time like {DATE_FORMAT_LABELS[fmt]} HH:MM.")
    return when


def clinician_usernames() -> set[str]:
    from portal.roles import Role

    return set(User.objects.filter(is_active=True, groups__name=Role.CLINICIAN).values_list("username", flat=True))


# How a row's problem names the API's field (api.schemas.VisitIn) in the preview.
FIELD_WORDS = {"external_id": "appointment id", "first_name": "first name", "last_name": "last name"}


def api_rules_problem(row: Row) -> str | None:
    """What the API would refuse in this parsed row, in the API's words; None when it is fine. The API's
    own schema (api.schemas.VisitIn) decides, so the import and the API cannot drift apart (its phone
    rule is the patient forms', messaging.phones)."""
    try:
        VisitIn.model_validate(
            {
                "external_id": row.external_id,
                "patient": {
                    "first_name": row.first_name,
                    "last_name": row.last_name,
                    "date_of_birth": row.date_of_birth,
                    "email": row.email,
                    "phone": row.phone,
                    "language": row.language,
                },
                "scheduled_at": row.scheduled_at,
                "clinician": row.clinician or None,
            }
        )
    except pydantic.ValidationError as exc:
        return _sentence(exc.errors()[0])
    return None


def _sentence(error) -> str:
    field = str(error["loc"][-1])
    words = FIELD_WORDS.get(field, field.replace("_", " "))
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])  # the API's own sentence
    if error["type"] == "literal_error" and field == "language":
        return "The language must be " + " or ".join(code for code, _name in settings.LANGUAGES) + "."
    if error["type"] == "string_too_long":
        return f"The {words} is too long."
    return f"The {words} is not valid."


def _check_row(row: Row, raw: dict[str, str], fmt: str, clinicians: set[str]) -> None:
    """Fill the row's parsed values from `raw`, or set its error."""
    for name, value in raw.items():
        if _looks_like_formula(value):
            row.verdict, row.reason = (
                Verdict.ERROR,
                f"The {name.replace('_', ' ')} cell starts like a spreadsheet formula.",
            )
            return
    missing = [name.replace("_", " ") for name in REQUIRED if not raw.get(name)]
    if missing:
        row.verdict, row.reason = Verdict.ERROR, "Missing: " + ", ".join(missing) + "."
        return
    try:
        dob = _parse_date(raw["date_of_birth"], fmt, "The date of birth")
        when = _parse_when(raw["scheduled_at"], fmt)
        phone = normalise_phone(raw.get("phone", ""))  # stored as the patient forms store it (E.164)
    except ValueError as exc:
        row.verdict, row.reason = Verdict.ERROR, str(exc)
        return
    except ValidationError as exc:
        row.verdict, row.reason = Verdict.ERROR, exc.messages[0]
        return
    if raw.get("clinician") and raw["clinician"] not in clinicians:
        row.verdict, row.reason = Verdict.ERROR, "No active clinician has this username."
        return
    row.external_id, row.first_name, row.last_name = raw["external_id"], raw["first_name"], raw["last_name"]
    row.date_of_birth, row.scheduled_at = dob.isoformat(), when.isoformat()
    row.email, row.phone = raw.get("email", ""), phone
    row.language = (raw.get("language") or Language.ENGLISH).strip().lower()
    row.clinician = raw.get("clinician", "")
    problem = api_rules_problem(row)
    if problem:
        row.verdict, row.reason = Verdict.ERROR, problem


def _decode(data: bytes) -> str:
    if not data.strip():
        raise FileProblem("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller files.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(
            "The file is not in UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and upload it again."
        ) from None


def _too_many() -> FileProblem:
    cap = settings.IMPORT_MAX_ROWS
    return FileProblem(f"The file has more than {cap:,} appointments. Split it into files of at most {cap:,}.")


def parse_csv(data: bytes, mapping: dict) -> list[Row]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [cell.strip() for cell in next(reader)]
    except (StopIteration, csv.Error):
        raise FileProblem("The file has no header row.") from None
    columns = mapping["columns"]
    index = {name.casefold(): i for i, name in enumerate(header)}
    missing = [columns[f] for f in REQUIRED if columns.get(f, "").casefold() not in index]
    if missing:
        raise FileProblem("These columns are missing: " + ", ".join(f"“{m}”" for m in missing) + ".")
    rows: list[Row] = []
    clinicians = clinician_usernames()
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= settings.IMPORT_MAX_ROWS:
                raise _too_many()
            raw = {}
            for field, column in columns.items():
                i = index.get(column.casefold()) if column else None
                raw[field] = cells[i].strip() if i is not None and i < len(cells) else ""
            row = Row(line=number)
            _check_row(row, raw, mapping["date_format"], clinicians)
            rows.append(row)
    except csv.Error as exc:
        raise FileProblem(f"The file is not a CSV we can read (line {reader.line_num}: {exc}).") from None
    if not rows:
        raise FileProblem("The file has a header but no appointments.")
    return rows


def _description_lines(text: str) -> dict[str, str]:
    lines = {}
    for line in text.splitlines():
        label, sep, value = line.partition(":")
        if sep:
            lines[label.strip().casefold()] = value.strip()
    return lines


def _split_name(full: str) -> tuple[str, str]:
    """'Ana María Ruiz' -> ('Ana María', 'Ruiz'): the last word is the family name (documented)."""
    parts = full.split()
    return (" ".join(parts[:-1]), parts[-1]) if len(parts) >= 2 else (full, "")


def parse_ics(data: bytes, mapping: dict) -> list[Row]:
    import icalendar

    _decode(data)
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError):
        raise FileProblem(
            "This is not a calendar (.ics) file we can read. Export it again from the calendar."
        ) from None
    events = calendar.walk("VEVENT")
    if not events:
        raise FileProblem("The calendar has no appointments in it.")
    if len(events) > settings.IMPORT_MAX_ROWS:
        raise _too_many()
    rows = []
    for number, event in enumerate(events, start=1):
        row = Row(line=number)
        try:
            raw = _ics_fields(event, mapping)
        except (ValueError, TypeError, AttributeError):
            row.verdict, row.reason = (
                Verdict.ERROR,
                "This event could not be read (its start time or fields are malformed).",
            )
            rows.append(row)
            continue
        if raw is None:
            row.verdict, row.reason = Verdict.ERROR, "An all-day event has no appointment time."
        else:
            _check_row(row, raw, mapping["date_format"], set())
        rows.append(row)
    return rows


def _ics_fields(event, mapping: dict) -> dict[str, str] | None:
    start = event.get("DTSTART")
    when = start.dt if start is not None else None
    if isinstance(when, date) and not isinstance(when, datetime):
        return None
    if isinstance(when, datetime) and timezone.is_naive(when):
        when = timezone.make_aware(when)  # a "floating" time is the clinic's own
    uid = str(event.get("UID", "")).strip()
    recurrence = event.get("RECURRENCE-ID")
    if uid and recurrence is not None:
        uid = f"{uid}#{recurrence.dt.isoformat()}"  # one occurrence of a repeating appointment
    description = _description_lines(str(event.get("DESCRIPTION", "")))
    attendees = event.get("ATTENDEE")
    attendee = (attendees[0] if isinstance(attendees, list) else attendees) if attendees else None
    if mapping["name_from"] == "attendee":
        full_name = str(attendee.params.get("CN", "")) if attendee is not None else ""
    elif mapping["name_from"] == "summary":
        full_name = str(event.get("SUMMARY", ""))
    else:
        full_name = description.get(mapping["name_label"].casefold(), "")
    first, last = _split_name(full_name.strip())
    if mapping["email_from"] == "attendee":
        email = str(attendee).removeprefix("mailto:").removeprefix("MAILTO:") if attendee is not None else ""
    else:
        email = description.get(mapping["email_label"].casefold(), "")
    return {
        "external_id": uid,
        "first_name": first,
        "last_name": last,
        "date_of_birth": description.get(mapping["dob_label"].casefold(), ""),
        "scheduled_at": when.isoformat() if when else "",
        "email": email.strip(),
        "phone": description.get(mapping["phone_label"].casefold(), ""),
        "language": "",
        "clinician": "",
    }


def give_verdicts(rows: list[Row], *, source: str) -> None:
    """Duplicate (already imported, or twice in the file), matched patient or new patient."""
    known = already_imported(rows, source=source)
    seen: set[str] = set()
    for row in rows:
        if row.verdict == Verdict.ERROR:
            continue
        if row.external_id in known:
            row.verdict, row.reason = Verdict.DUPLICATE, "Already imported."
        elif row.external_id in seen:
            row.verdict, row.reason = Verdict.DUPLICATE, "The same appointment id is on an earlier line."
        elif find_matching_patients(
            first_name=row.first_name, last_name=row.last_name, date_of_birth=date.fromisoformat(row.date_of_birth)
        ).exists():
            row.verdict = Verdict.MATCHED
        else:
            row.verdict = Verdict.NEW_PATIENT
        seen.add(row.external_id)


def already_imported(rows: list[Row], *, source: str) -> set[str]:
    return set(
        ExternalVisitId.objects.filter(
            source=source, external_id__in=[r.external_id for r in rows if r.external_id]
        ).values_list("external_id", flat=True)
    )


@transaction.atomic
def prepare(*, kind: str, data: bytes, mapping: dict, by: User, request: HttpRequest | None = None) -> ImportBatch:
    """Parse the file, remember the mapping, and keep the rows for the preview. Raises FileProblem."""
    rows = parse_csv(data, mapping) if kind == ImportMapping.Kind.CSV else parse_ics(data, mapping)
    give_verdicts(rows, source=mapping["source"])
    # Previews nobody confirmed in time hold names and dates of birth for nothing (apply_retention does too).
    clear_rows(rows_expired())
    ImportMapping.objects.update_or_create(kind=kind, defaults={"mapping": mapping})
    batch = ImportBatch(
        kind=kind,
        source=mapping["source"],
        file_sha256=hashlib.sha256(data).hexdigest(),
        rows=[asdict(row) for row in rows],
        created_by=by,
    )
    batch.summary = counts(batch)
    batch.save()
    audit.record("import.previewed", request=request, actor=by, obj=batch, details=counts(batch))
    return batch


def rows_expired(now: datetime | None = None) -> QuerySet[ImportBatch]:
    """Batches whose rows are past their keeping time: confirmed ones (confirm clears them itself) and
    previews older than IMPORT_ROWS_KEEP_DAYS (docs/records.md)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IMPORT_ROWS_KEEP_DAYS)
    return ImportBatch.objects.filter(rows_cleared_at__isnull=True).filter(
        Q(confirmed_at__isnull=False) | Q(created_at__lt=cutoff)
    )


def clear_rows(batches: QuerySet[ImportBatch], now: datetime | None = None) -> int:
    """Empty the rows of these batches; who uploaded, when, and the counts stay. Returns how many."""
    return batches.update(rows=[], rows_cleared_at=now or timezone.now())


def counts(batch: ImportBatch) -> dict[str, int]:
    if batch.rows_cleared_at is not None:
        return dict(batch.summary)
    result = {"rows": len(batch.rows)}
    for row in batch.rows:
        result[row["verdict"]] = result.get(row["verdict"], 0) + 1
    return result


class ImportRefused(Exception):
    pass


EXPIRED = "This preview has expired, so the patients' details in it were cleared. Upload the file again."


@transaction.atomic
def confirm(*, batch: ImportBatch, send_links: bool, by: User, request: HttpRequest | None = None) -> int:
    """Create every new row's visit in one transaction; returns how many. Clears the stored rows."""
    from api.services import upsert_visit

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.confirmed_at is not None:
        raise ImportRefused("This file was already imported.")
    if batch.rows_cleared_at is not None:
        raise ImportRefused(EXPIRED)
    rows = [Row(**row) for row in batch.rows]
    if any(row.verdict == Verdict.ERROR for row in rows):
        raise ImportRefused("Some rows have errors. Fix them in the file and upload it again.")
    # Another preview of the same file may have been confirmed since this one was made: those rows create
    # nothing now, so they must send nothing either (a send would revoke the patient's link).
    known = already_imported(rows, source=batch.source)
    to_import = [row for row in rows if row.verdict != Verdict.DUPLICATE and row.external_id not in known]
    for row in to_import:
        # A preview made before a rule was added may hold a value the API refuses (and a send would fail on).
        problem = api_rules_problem(row)
        if problem:
            raise ImportRefused(f"Line {row.line}: {problem} Fix it in the file and upload it again.")
    created = 0
    for row in to_import:
        clinician = User.objects.filter(username=row.clinician, is_active=True).first() if row.clinician else None
        try:
            result = upsert_visit(
                source=batch.source,
                external_id=row.external_id,
                first_name=row.first_name,
                last_name=row.last_name,
                date_of_birth=date.fromisoformat(row.date_of_birth),
                scheduled_at=datetime.fromisoformat(row.scheduled_at),
                email=row.email,
                phone=row.phone,
                language=row.language,
                clinician=clinician,
                send=send_links,
                created_by=by,
                request=request,
            )
        except CourseDischarged:
            # The whole import is one transaction: nothing is created, and the row is named.
            raise ImportRefused(
                f"Line {row.line}: the patient's course of care is discharged. Start a new course for "
                "them from the invite page, then import the file again."
            ) from None
        created += int(result.created)
    batch.confirmed_at = timezone.now()
    batch.created_visits = created
    summary = counts(batch)
    batch.rows = []  # names and dates of birth are not kept once the visits exist
    batch.rows_cleared_at = batch.confirmed_at
    batch.save(update_fields=["confirmed_at", "created_visits", "rows", "rows_cleared_at"])
    audit.record(
        "import.confirmed",
        request=request,
        actor=by,
        obj=batch,
        details={**summary, "created": created, "links_sent": send_links},
    )
    return created
