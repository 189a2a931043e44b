"""The clinic admin edits consent texts here. A text that someone has signed is frozen: saving changes
to it creates the next version instead (and makes it the active one if the old one was active).
Signed consent records are shown read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Max

from consent.models import ConsentRecord, ConsentVersion


def next_version_number(key: str, language: str) -> int:
    highest = ConsentVersion.objects.filter(key=key, language=language).aggregate(top=Max("version"))["top"]
    return (highest or 0) + 1


@admin.register(ConsentVersion)
class ConsentVersionAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "language", "version", "is_active", "effective_date", "first_signed_at"]
    list_filter = ["key", "language", "is_active"]
    readonly_fields = ["first_signed_at", "created_at"]
    fields = ["key", "language", "version", "title", "body", "risks", "effective_date", "is_active", *readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return [*self.readonly_fields, "key", "language", "version"]
        return self.readonly_fields

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        key, language = str(initial.get("key", "dry-needling")), str(initial.get("language", "en"))
        initial.setdefault("version", str(next_version_number(key, language)))
        return initial

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if change:
            original = ConsentVersion.objects.select_for_update().get(pk=obj.pk)
            content_changed = bool(original.changed_content(obj))
            if original.is_frozen and content_changed:
                new = ConsentVersion(
                    key=original.key,
                    language=original.language,
                    version=next_version_number(original.key, original.language),
                    title=obj.title,
                    body=obj.body,
                    risks=obj.risks,
                    effective_date=obj.effective_date,
                    is_active=False,
                )
                new.save()
                if obj.is_active:
                    ConsentVersion.objects.filter(pk=original.pk).update(is_active=False)
                    ConsentVersion.objects.filter(pk=new.pk).update(is_active=True)
                self.message_user(
                    request,
                    f"Version {original.version} has already been signed, so it stays as it was. Your changes were "
                    f"saved as version {new.version}{' and made active' if obj.is_active else ''}. Patients who signed "
                    "the old version will be asked to sign the new one before future visits.",
                    messages.WARNING,
                )
                obj.pk = new.pk
                obj.version = new.version
                return
        if obj.is_active:
            # One active version per consent and language: switching one on switches the others off.
            ConsentVersion.objects.filter(key=obj.key, language=obj.language, is_active=True).exclude(pk=obj.pk).update(
                is_active=False
            )
        super().save_model(request, obj, form, change)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """Read-only: records change only through the portal's consent pages (confirm, withdraw)."""

    list_display = ["pk", "signed_at", "consent_version", "signer_role", "confirmed_at", "withdrawn_at"]
    list_filter = ["signer_role", "signature_method"]
    list_select_related = ["consent_version"]
    exclude = ["signature_png"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
