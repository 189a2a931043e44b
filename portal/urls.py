from django.contrib import admin
from django.urls import include, path

from portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says; answer instead of logging a 404 each time.
    path("favicon.ico", views.favicon, name="favicon"),
    # Staff sign-in: password, then a one-time code (portal/views_auth.py).
    path("accounts/", include("portal.urls_auth")),
    # The integration API (token auth, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).
    path("api/v1/", include("api.urls_v1", namespace="api-v1")),
    # Integrations: tokens, webhooks and appointment import (clinic admin; import also reception).
    path("staff/integrations/", include("api.urls_staff")),
    # Staff workspace: the board and records (intake), consent PDFs, confirmation and verification (consent).
    path("staff/", include("intake.staff.urls")),
    path("staff/consent/", include("consent.urls_staff")),
    path("staff/alerts/", include("messaging.urls")),
    # Patients: the private link, then pages that the session opens (no token in these URLs).
    path("p/", include("intake.links.urls")),
    path("language/", include("intake.journey.urls_language")),
    path("patient/consent/", include("consent.urls_patient")),
    path("patient/aftercare/", include("intake.aftercare.urls")),
    path("patient/", include("intake.journey.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.error_400"
handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"
