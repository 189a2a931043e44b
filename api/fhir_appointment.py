"""A FHIR R4 Appointment as the portal's visit: which fields it reads (docs/integrations.md).

- the external id: the first `identifier.value`, else the resource `id`;
- the time: `start` (with a time zone);
- the patient: a `Patient` in `contained`, referenced by a participant's `actor.reference` ("#p1"),
  with `name[0].given[0]`, `name[0].family`, `birthDate`, and optionally `telecom` (email, phone)
  and `communication[0].language` (en or es).
Validated with fhir.resources (R4B models, identical to R4 for Appointment and Patient).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError as PydanticValidationError

from api.problems import error_message
from api.schemas import PatientIn, VisitIn

if TYPE_CHECKING:
    from fhir.resources.R4B.patient import Patient as FhirPatient

REFUSED_STATUSES = {"cancelled", "noshow", "entered-in-error"}
# R4's AppointmentStatus value set; the models check only that it is a code.
STATUSES = {"proposed", "pending", "booked", "arrived", "fulfilled", "checked-in", "waitlist", *REFUSED_STATUSES}


class AppointmentProblem(Exception):
    def __init__(self, errors: list[dict[str, str]]):
        super().__init__("invalid Appointment")
        self.errors = errors


def _pointer(loc) -> str:
    return "#/" + "/".join(str(part) for part in loc)


def to_visit(data: Any, *, send_link: bool) -> VisitIn:
    """The VisitIn this Appointment describes; AppointmentProblem lists what is missing or wrong."""
    from fhir.resources.R4B.appointment import Appointment

    if not isinstance(data, dict) or data.get("resourceType") != "Appointment":
        raise AppointmentProblem([{"pointer": "#/resourceType", "detail": "Send one resource of type Appointment."}])
    try:
        appointment = Appointment.model_validate(data)
    except PydanticValidationError as exc:
        raise AppointmentProblem(
            [{"pointer": _pointer(e["loc"]), "detail": error_message(e)} for e in exc.errors(include_input=False)][:50]
        ) from None
    errors: list[dict[str, str]] = []
    if appointment.status not in STATUSES:
        errors.append({"pointer": "#/status", "detail": "This is not an R4 appointment status."})
    elif appointment.status in REFUSED_STATUSES:
        errors.append({"pointer": "#/status", "detail": f"A {appointment.status} appointment cannot create a visit."})
    external_id = next((i.value for i in appointment.identifier or [] if i.value), None) or appointment.id
    if not external_id:
        errors.append({"pointer": "#/identifier", "detail": "Give the appointment an identifier (or an id)."})
    start: datetime | None = appointment.start
    if start is None:
        errors.append({"pointer": "#/start", "detail": "The appointment needs a start time."})
    contained: dict[str, FhirPatient] = {
        f"#{r.id}": cast("FhirPatient", r) for r in appointment.contained or [] if r.get_resource_type() == "Patient"
    }
    patient: FhirPatient | None = None
    for index, participant in enumerate(appointment.participant or []):
        reference = participant.actor.reference if participant.actor else None
        if reference in contained:
            patient = contained[reference]
            break
        if reference and reference.startswith("Patient/"):
            errors.append(
                {
                    "pointer": f"#/participant/{index}/actor/reference",
                    "detail": "Contain the Patient in the Appointment (contained, referenced as #id): "
                    "the portal needs the name and date of birth.",
                }
            )
    if patient is None and not errors:
        errors.append({"pointer": "#/participant", "detail": "No participant refers to a contained Patient."})
    if errors or patient is None:
        raise AppointmentProblem(errors)
    name = patient.name[0] if patient.name else None
    given = (name.given or [""])[0] if name else ""
    family = (name.family or "") if name else ""
    birth: date | None = patient.birthDate
    email = next((t.value for t in patient.telecom or [] if t.system == "email" and t.value), "")
    phone = next((t.value for t in patient.telecom or [] if t.system in ("phone", "sms") and t.value), "")
    language = "en"
    for communication in patient.communication or []:
        codes = [c.code for c in (communication.language.coding or []) if c.code]
        if codes and codes[0][:2] in ("en", "es"):
            language = codes[0][:2]
            break
    try:
        return VisitIn(
            external_id=str(external_id),
            patient=PatientIn(
                first_name=given or "",
                last_name=family,
                date_of_birth=birth,  # type: ignore[arg-type]
                email=email,
                phone=phone,
                language=language,  # type: ignore[arg-type]
            ),
            scheduled_at=start,  # type: ignore[arg-type]
            clinician=None,
            send_link=send_link,
        )
    except PydanticValidationError as exc:
        where = {
            "first_name": "#/contained/Patient/name/0/given/0",
            "last_name": "#/contained/Patient/name/0/family",
            "date_of_birth": "#/contained/Patient/birthDate",
            "email": "#/contained/Patient/telecom",
            "phone": "#/contained/Patient/telecom",
            "scheduled_at": "#/start",
            "external_id": "#/identifier/0/value",
        }
        raise AppointmentProblem(
            [
                {"pointer": where.get(str(e["loc"][-1]), _pointer(e["loc"])), "detail": error_message(e)}
                for e in exc.errors(include_input=False)
            ]
        ) from None
