"""Small helpers every form view shares."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data on a POST, even when empty (an empty form must still be validated), else None."""
    return request.POST if request.method == "POST" else None
