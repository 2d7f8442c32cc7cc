"""Demands in the admin: mark a demand as repeating an earlier one, from suggested candidates."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from archive.models import Demand, DemandRepeat
from archive.research import demands


class RepeatInline(admin.TabularInline):
    model = DemandRepeat
    fk_name = "demand"
    extra = 0
    max_num = 1
    fields = ["earlier", "similarity", "note", "marked_by", "marked_at"]
    readonly_fields = ["similarity", "marked_by", "marked_at"]
    raw_id_fields = ["earlier"]
    verbose_name = "repeats an earlier demand"


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    change_form_template = "research/admin/demand_change_form.html"
    list_display = ["__str__", "communique", "date", "paragraph", "repeats"]
    list_select_related = ["communique", "repeat"]
    list_filter = [("repeat", admin.EmptyFieldListFilter), "communique__status"]
    search_fields = ["text", "communique__title", "communique__public_id"]
    fields = ["communique", "position", "text", "paragraph", "verb", "speaker", "addressees"]
    readonly_fields = ["communique"]
    autocomplete_fields = ["speaker", "addressees"]
    inlines = [RepeatInline]

    @admin.display(description="Date", ordering="communique__date")
    def date(self, obj):
        return obj.communique.date

    @admin.display(description="Repeats", boolean=True)
    def repeats(self, obj):
        return hasattr(obj, "repeat")

    def has_add_permission(self, request):
        return False  # demands are added on their communiqué

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.mark_repeat_view))
        custom = [path("<path:object_id>/repeat/", view, name="archive_demand_repeat")]
        return custom + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        demand = self.get_object(request, object_id)
        extra = {}
        if demand is not None:
            extra = {
                "repeat_candidates": demands.repeat_candidates(demand),
                "repeat_chain": demands.repeat_chain(demand),
                "repeat_url": reverse("admin:archive_demand_repeat", args=[demand.pk]),
            }
        return super().change_view(
            request, object_id, form_url, extra_context={**extra, **(extra_context or {})}
        )

    def mark_repeat_view(self, request, object_id):
        demand = get_object_or_404(Demand, pk=object_id)
        if not self.has_change_permission(request, demand):
            raise PermissionDenied
        change_url = reverse("admin:archive_demand_change", args=[demand.pk])
        earlier_id = request.POST.get("_mark_repeat", "")
        if earlier_id == "none":
            DemandRepeat.objects.filter(demand=demand).delete()
            messages.success(request, "This demand no longer repeats an earlier one.")
            return redirect(change_url)
        earlier = get_object_or_404(Demand, pk=earlier_id)
        try:
            demands.mark_repeat(demand, earlier, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Marked as repeating demand #{earlier.pk}.")
        return redirect(change_url)


@admin.register(DemandRepeat)
class DemandRepeatAdmin(admin.ModelAdmin):
    list_display = ["__str__", "demand", "earlier", "similarity", "marked_by", "marked_at"]
    list_select_related = ["demand", "earlier", "marked_by"]
    raw_id_fields = ["demand", "earlier"]
    readonly_fields = ["marked_by", "marked_at"]

    def save_model(self, request, obj, form, change):
        if not obj.marked_by_id:
            obj.marked_by = request.user
        if obj.similarity is None:
            obj.similarity = demands.similarity(obj.demand.text, obj.earlier.text)
        super().save_model(request, obj, form, change)
