"""Staff-wide views: health check and error pages."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(static("favicon.svg"))


# Error pages are never cached: a 404 or 400 may answer a private address (a patient link, a record).
@never_cache
def error_400(request, exception=None):
    return render(request, "errors/400.html", status=400)


def _for_staff(request) -> bool:
    """Signed-in staff get the workspace's navigation on error pages; patients and strangers do not."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and getattr(user, "is_staff_member", False))


@never_cache
def error_403(request, exception=None):
    template = "errors/staff_403.html" if _for_staff(request) else "errors/403.html"
    return render(request, template, status=403)


@never_cache
def error_404(request, exception=None):
    template = "errors/staff_404.html" if _for_staff(request) else "errors/404.html"
    return render(request, template, status=404)


@never_cache
def error_500(request):
    # A failed POST (a database outage mid-journey) lost what was sent: say so rather than reassure.
    return render(request, "errors/500.html", {"lost_post": request.method == "POST"}, status=500)
