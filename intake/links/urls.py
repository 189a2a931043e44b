"""The private link: /p/<token>/ asks for the date of birth, then opens the journey."""

from django.urls import path

from intake.links import views

app_name = "patient"

urlpatterns = [
    path("r/<str:reference>/", views.reference_entry, name="reference_entry"),
    path("<str:token>/", views.entry, name="entry"),
]
