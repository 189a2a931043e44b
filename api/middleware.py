"""Every response under /api/ passes here, so this is where the API's errors get one shape and every call
one audit event.

Errors Django or django-ninja answer themselves (an unknown path, a wrong method, a request the size
limit refused) come back as problem documents, never an HTML page.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse

from api.models import IntegrationToken
from api.problems import CONTENT_TYPE, problem_response
from api.services import token_details
from api.tokens import find_token
from portal import audit

TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 413: "Request body too large"}
CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}


class ApiProblemMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/"):
            return response
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            (CONTENT_TYPE, "application/json")
        ):
            status = response.status_code
            headers = {"Allow": response["Allow"]} if response.has_header("Allow") else {}
            response = problem_response(
                status, CODES.get(status, "error"), TITLES.get(status, "Error"), headers=headers
            )
        audit_call(request, response)
        return response


def audit_call(request: HttpRequest, response: HttpResponse) -> None:
    """One `api.call` event per call, answered or refused: the token, method, route name, status and
    problem code. Never the body, the query string or the path (ids and typed values stay out).

    Calls refused by the rate limit are not written one by one: the limit would turn into a flood.
    """
    problem = problem_code(response)
    if problem == "rate_limited":
        return
    token = caller_token(request)
    match = request.resolver_match
    details = {
        **token_details(token),
        "method": (request.method or "")[:10],
        "route": (match.url_name or "") if match else "",
        "status": response.status_code,
    }
    if problem:
        details["problem"] = problem
    if response.get("Idempotent-Replayed") == "true":
        details["replayed"] = True
    audit.record("api.call", request=request, obj=token, details=details)


def caller_token(request: HttpRequest) -> IntegrationToken | None:
    """The token the call carried, known or revoked, even when the API never reached its authentication
    (an unknown path, a wrong method)."""
    if hasattr(request, "api_token"):
        return request.api_token
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return find_token(secret.strip())[0] if scheme.lower() == "bearer" else None


def problem_code(response: HttpResponse) -> str:
    """The `code` of a problem document ("" for any other response)."""
    if not response.get("Content-Type", "").startswith(CONTENT_TYPE):
        return ""
    try:
        return str(json.loads(response.content).get("code", ""))
    except (ValueError, AttributeError):
        return ""
