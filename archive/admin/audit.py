"""The audit log in the admin: read-only, for superusers and whoever may view it."""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from archive.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "target", "public_id"]
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_label", "object_repr", "public_id", "object_id"]
    date_hierarchy = "at"
    readonly_fields = [
        "at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "public_id",
        "detail",
    ]
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Object")
    def target(self, entry: AuditEntry):
        try:
            url = reverse(f"admin:archive_{entry.object_type}_change", args=[entry.object_id])
        except NoReverseMatch:
            return entry.object_repr
        if entry.action == AuditEntry.Action.DELETED:
            return entry.object_repr
        return format_html('<a href="{}">{}</a>', url, entry.object_repr)
