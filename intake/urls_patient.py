from django.urls import path

from intake import views_patient

app_name = "patient"

urlpatterns = [
    path("<str:token>/", views_patient.entry, name="entry"),
]
