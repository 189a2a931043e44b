"""Staff-wide views: health check and error pages."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
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


# Error pages are never cached: a 404 or 400 may answer a private address (a patient link, a record).
@never_cache
def error_400(request, exception=None):
    return render(request, "errors/400.html", status=400)


@never_cache
def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


@never_cache
def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


@never_cache
def error_500(request):
    # A failed POST (a database outage mid-journey) lost what was sent: say so rather than reassure.
    return render(request, "errors/500.html", {"lost_post": request.method == "POST"}, status=500)
