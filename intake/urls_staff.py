"""Reception and clinician pages of the staff workspace (the board, records, invites, kiosk, review)."""

from django.urls import path

from portal import views as portal_views

app_name = "staff"

urlpatterns = [
    path("", portal_views.staff_home, name="board"),
]
