"""The patient's aftercare pages and check-ins (behind the same patient session as the journey)."""

from django.urls import path

from intake import views_aftercare

app_name = "aftercare"

urlpatterns = [
    path("", views_aftercare.home, name="home"),
    path("aftercare.pdf", views_aftercare.pdf, name="pdf"),
    path("check-in/<str:window>/", views_aftercare.checkin, name="checkin"),
    path("check-in/<str:window>/done/", views_aftercare.checkin_done, name="checkin_done"),
]
