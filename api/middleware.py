"""Under /api/ even the errors Django or django-ninja answer themselves (an unknown path, a wrong method,
a request the size limit refused) come back as problem documents, never an HTML page."""

from __future__ import annotations

from api.problems import CONTENT_TYPE, problem_response

TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 413: "Request body too large"}
CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}


class ApiProblemMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith((CONTENT_TYPE, "application/json"))
        ):
            status = response.status_code
            headers = {"Allow": response["Allow"]} if response.has_header("Allow") else {}
            return problem_response(status, CODES.get(status, "error"), TITLES.get(status, "Error"), headers=headers)
        return response
