"""Staff pages for red-flag alerts, under /staff/alerts/."""

from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.alert_list, name="alerts"),
    path("<uuid:alert_id>/", views.alert_detail, name="alert"),
    path("<uuid:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_ack"),
]
