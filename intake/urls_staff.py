"""Reception and clinician pages of the staff workspace (the board, records, invites, kiosk, review)."""

from django.urls import path

from intake import views_staff

app_name = "staff"

urlpatterns = [
    path("", views_staff.board, name="board"),
    path("export.csv", views_staff.board_csv, name="board_csv"),
    path("invite/", views_staff.invite, name="invite"),
    path("patients/<uuid:patient_id>/", views_staff.patient_record, name="patient"),
    path("patients/<uuid:patient_id>/edit/", views_staff.patient_edit, name="patient_edit"),
    path("patients/<uuid:patient_id>/fhir/", views_staff.patient_fhir, name="patient_fhir"),
    path("visits/<uuid:visit_id>/link/", views_staff.visit_link, name="visit_link"),
    path("visits/<uuid:visit_id>/link/new/", views_staff.visit_link_new, name="visit_link_new"),
    path("visits/<uuid:visit_id>/link/email/", views_staff.visit_link_email, name="visit_link_email"),
    path("visits/<uuid:visit_id>/link/print/", views_staff.visit_link_print, name="visit_link_print"),
    path("visits/<uuid:visit_id>/kiosk/", views_staff.kiosk_start, name="kiosk_start"),
    path("visits/<uuid:visit_id>/review/", views_staff.visit_review, name="visit_review"),
    path("visits/<uuid:visit_id>/record/", views_staff.visit_record, name="visit_record"),
    path("visits/<uuid:visit_id>/urgent/acknowledge/", views_staff.visit_acknowledge_urgent, name="visit_ack_urgent"),
    path("links/<uuid:link_id>/revoke/", views_staff.link_revoke, name="link_revoke"),
    path("links/<uuid:link_id>/unlock/", views_staff.link_unlock, name="link_unlock"),
    path("kiosk/finish/", views_staff.kiosk_finish, name="kiosk_finish"),
    path("kiosk/locked/", views_staff.kiosk_locked, name="kiosk_locked"),
    path("review/", views_staff.review_queue, name="review"),
    path("audit/", views_staff.audit_log, name="audit"),
]
