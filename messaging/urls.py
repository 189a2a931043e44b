"""Staff pages for red-flag alerts, under /staff/alerts/."""

from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.alert_list, name="alerts"),
    path("my-contact/", views.my_alert_contact, name="my_contact"),
    path("<uuid:alert_id>/", views.alert_detail, name="alert"),
    path("<uuid:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_ack"),
]
