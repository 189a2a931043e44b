"""Every API error as RFC 9457 problem details (application/problem+json), with a stable `code`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse

CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    """Raise anywhere in the API to answer with a problem document."""

    def __init__(self, status: int, code: str, title: str, detail: str = "", **extra: Any):
        super().__init__(title)
        self.status, self.code, self.title, self.detail, self.extra = status, code, title, detail, extra


def invalid(error: dict[str, str]) -> Problem:
    """A 422 for one wrong value, named by "pointer" (body) or "parameter" and "in" (query, header), worded
    like the validation errors the API's schemas raise."""
    return Problem(422, "validation_failed", "Invalid request", errors=[error])


def problem_response(
    status: int, code: str, title: str, detail: str = "", headers: dict | None = None, **extra: Any
) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_message(error: Mapping[str, object]) -> str:
    """One pydantic error's sentence, without pydantic's "Value error, " prefix: the portal's own rules
    (e.g. intake.visits.appointments) then read the same here as on the staff pages."""
    return str(error.get("msg", "is not valid")).removeprefix("Value error, ")


def field_errors(errors: list[dict]) -> list[dict[str, str]]:
    """Pydantic/ninja errors as {"pointer": "#/patient/date_of_birth", "detail": ...} (RFC 9457 style),
    or {"parameter": "limit", ...} for query and path values. Input values are never echoed."""
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", [])]
        message = error_message(error)
        if loc and loc[0] == "body":
            path = loc[2:] if len(loc) > 1 else []  # drop "body" and the parameter's own name
            result.append({"pointer": "#/" + "/".join(path), "detail": message})
        elif loc:
            result.append({"parameter": loc[-1], "in": loc[0], "detail": message})
        else:
            result.append({"pointer": "#/", "detail": message})
    return result
