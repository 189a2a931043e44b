"""Reception and clinician pages of the staff workspace (the board, records, invites, kiosk, review)."""

from django.urls import path

from intake.staff.views import (
    audit_log,
    board,
    courses,
    exports,
    invite,
    kiosk,
    measures,
    outcomes,
    patients,
    records,
    reminders,
    review,
    visit_record,
)

app_name = "staff"

urlpatterns = [
    path("", board.board, name="board"),
    path("export.csv", exports.board_csv, name="board_csv"),
    path("invite/", invite.invite, name="invite"),
    path("patients/<uuid:patient_id>/", patients.patient_record, name="patient"),
    path("patients/<uuid:patient_id>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<uuid:patient_id>/fhir/", exports.patient_fhir, name="patient_fhir"),
    path("patients/<uuid:patient_id>/legal-hold/", records.legal_hold, name="patient_legal_hold"),
    path("patients/<uuid:patient_id>/access/", records.access_report, name="patient_access_report"),
    path("patients/<uuid:patient_id>/access-pack.zip", records.access_pack, name="patient_access_pack"),
    path("courses/<uuid:course_id>/discharge/", courses.course_discharge, name="course_discharge"),
    path("visits/<uuid:visit_id>/link/", invite.visit_link, name="visit_link"),
    path("visits/<uuid:visit_id>/link/new/", invite.visit_link_new, name="visit_link_new"),
    path("visits/<uuid:visit_id>/link/email/", invite.visit_link_email, name="visit_link_email"),
    path("visits/<uuid:visit_id>/link/print/", invite.visit_link_print, name="visit_link_print"),
    path("visits/<uuid:visit_id>/kiosk/", kiosk.kiosk_start, name="kiosk_start"),
    path("visits/<uuid:visit_id>/review/", review.visit_review, name="visit_review"),
    path("visits/<uuid:visit_id>/record/", visit_record.visit_record, name="visit_record"),
    path("visits/<uuid:visit_id>/paper-consent/", visit_record.paper_consent_scan, name="visit_paper_consent"),
    path("visits/<uuid:visit_id>/measures/", measures.visit_measures, name="visit_measures"),
    path("visits/<uuid:visit_id>/urgent/acknowledge/", review.visit_acknowledge_urgent, name="visit_ack_urgent"),
    path("links/<uuid:link_id>/revoke/", invite.link_revoke, name="link_revoke"),
    path("links/<uuid:link_id>/unlock/", invite.link_unlock, name="link_unlock"),
    path("kiosk/finish/", kiosk.kiosk_finish, name="kiosk_finish"),
    path("kiosk/locked/", kiosk.kiosk_locked, name="kiosk_locked"),
    path("kiosk/return/", kiosk.kiosk_return, name="kiosk_return"),
    path("review/", review.review_queue, name="review"),
    path("reminders/tomorrow/", reminders.remind_tomorrow_page, name="remind_tomorrow"),
    path("audit/", audit_log.audit_log, name="audit"),
    path("outcomes/", outcomes.outcomes, name="outcomes"),
    path("outcomes/<slug:table>.csv", outcomes.outcomes_csv, name="outcomes_csv"),
]
