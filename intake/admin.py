from django.contrib import admin

from intake.models import Patient, Visit


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "preferred_language"]
    search_fields = ["search_name", "email", "search_phone"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["patient", "scheduled_at", "clinician", "progress", "flag_level"]
    list_filter = ["progress", "flag_level", "clinician"]
    raw_id_fields = ["patient"]
