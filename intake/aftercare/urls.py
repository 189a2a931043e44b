"""The patient's aftercare pages and check-ins (behind the same patient session as the journey)."""

from django.urls import path

from intake.aftercare import views

app_name = "aftercare"

urlpatterns = [
    path("", views.home, name="home"),
    path("aftercare.pdf", views.pdf, name="pdf"),
    path("check-in/<str:window>/", views.checkin, name="checkin"),
    path("check-in/<str:window>/done/", views.checkin_done, name="checkin_done"),
]
