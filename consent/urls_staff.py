"""Staff consent pages: the PDF inline, clinician confirmation, withdrawal on a patient's behalf, verification."""

from django.urls import path

from consent import views_staff

app_name = "consent_staff"

urlpatterns = [
    path("<uuid:record_id>/", views_staff.detail, name="detail"),
    path("<uuid:record_id>/pdf/", views_staff.pdf, name="pdf"),
    path("<uuid:record_id>/confirmation.pdf", views_staff.confirmation_pdf, name="confirmation-pdf"),
    path("<uuid:record_id>/archive/<uuid:version_id>.pdf", views_staff.archive_pdf, name="archive-pdf"),
    path("<uuid:record_id>/confirm/", views_staff.confirm, name="confirm"),
    path("<uuid:record_id>/withdraw/", views_staff.withdraw, name="withdraw"),
    path("visit/<uuid:visit_id>/", views_staff.for_visit, name="for-visit"),
    path("verify/", views_staff.verify, name="verify"),
    path("verify/<uuid:record_id>/", views_staff.verify, name="verify-record"),
]
