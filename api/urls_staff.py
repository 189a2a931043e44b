"""The clinic admin's integration pages and reception's appointment import, under /staff/integrations/."""

from django.urls import path

from api import views_import, views_staff

app_name = "integrations"

urlpatterns = [
    path("", views_staff.overview, name="overview"),
    path("tokens/new/", views_staff.token_new, name="token_new"),
    path("tokens/<uuid:token_id>/revoke/", views_staff.token_revoke, name="token_revoke"),
    path("webhooks/new/", views_staff.webhook_new, name="webhook_new"),
    path("webhooks/<uuid:endpoint_id>/", views_staff.webhook_detail, name="webhook"),
    path("webhooks/<uuid:endpoint_id>/toggle/", views_staff.webhook_toggle, name="webhook_toggle"),
    path("import/", views_import.upload, name="import"),
    path("import/<uuid:batch_id>/", views_import.preview, name="import_preview"),
]
