from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from portal.models import AuditEvent, User


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "alert_phone", "alert_language", "is_active", "is_superuser"]
    # Where red-flag alerts reach a treating clinician; each member can also set their own.
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Red-flag alerts", {"fields": ("alert_phone", "alert_language")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Red-flag alerts", {"fields": ("alert_phone", "alert_language")}))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events are never changed or removed."""

    list_display = ["at", "action", "actor", "object_type", "object_id", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor__username", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
