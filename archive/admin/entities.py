"""Admin for shared entities: aliases inline, and merging a duplicate into the right record."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count
from django.shortcuts import redirect, render

from archive import entities
from archive.models import (
    Organization,
    OrganizationAlias,
    Person,
    PersonAlias,
    Place,
    PlaceAlias,
    Resolution,
)


class MergeForm(forms.Form):
    def __init__(self, *args, queryset, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        # The target is looked up as the admin's search finds it (name, alias, acronym), not
        # picked from a select of every record, which grew with the archive (5,000 people:
        # a 260 KB page). Django's autocomplete asks through a foreign key to the model; the
        # aliases' is the one each mergeable kind has.
        pointer = queryset.model._meta.get_field("aliases").field
        self.fields["target"] = forms.ModelChoiceField(
            queryset, label="Merge into", widget=AutocompleteSelect(pointer, admin_site)
        )


class EntityAdmin(admin.ModelAdmin):
    search_fields = ["name", "aliases__name"]
    # By name: the list, and the merge form's suggestions, which Django pages unordered else.
    ordering = ["name"]
    readonly_fields = ["created_at"]
    actions = ["merge"]
    list_display = ["name", "mentions"]
    # What "Communiqués" counts for this kind of record.
    mentioned_in = "communiques"

    def get_queryset(self, request):
        records = super().get_queryset(request)
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete":
            # Suggestions show names only; counting each one's mentions at every keystroke
            # doubled the answer's time (100,000 communiqués: 359 ms).
            return records
        return records.annotate(_mentions=Count(self.mentioned_in, distinct=True))

    @admin.display(description="Communiqués", ordering="_mentions")
    def mentions(self, obj):
        return obj._mentions

    @admin.action(description="Merge the selected records into another one")
    def merge(self, request, queryset):
        others = self.model.objects.exclude(pk__in=queryset.values("pk"))
        form = MergeForm(
            request.POST if "apply" in request.POST else None,
            queryset=others,
            admin_site=self.admin_site,
        )
        if form.is_valid():
            target = form.cleaned_data["target"]
            for duplicate in queryset:
                entities.merge(duplicate, into=target)
            self.message_user(
                request, f"Merged {queryset.count()} record(s) into {target}.", messages.SUCCESS
            )
            return redirect(request.get_full_path())
        return render(
            request,
            "admin/archive/merge.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "records": queryset,
                "opts": self.model._meta,
                "action": "merge",
            },
        )


class OrganizationAliasInline(admin.TabularInline):
    model = OrganizationAlias
    extra = 1
    fields = ["name"]


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 1
    fields = ["name"]


class PlaceAliasInline(admin.TabularInline):
    model = PlaceAlias
    extra = 1
    fields = ["name"]


def _alias_saving(inline_cls):
    # The alias key is derived from the name; the admin only shows the name.
    def save_formset(self, request, form, formset, change):
        from archive.models.entities import alias_key

        for alias in formset.save(commit=False):
            alias.key = alias_key(alias.name)
            alias.save()
        for obj in formset.deleted_objects:
            obj.delete()

    return save_formset


@admin.register(Organization)
class OrganizationAdmin(EntityAdmin):
    list_display = ["name", "acronym", "kind", "mentions"]
    search_fields = ["name", "acronym", "aliases__name"]
    list_filter = ["kind"]
    inlines = [OrganizationAliasInline]
    save_formset = _alias_saving(OrganizationAliasInline)
    mentioned_in = "issued"


@admin.register(Person)
class PersonAdmin(EntityAdmin):
    inlines = [PersonAliasInline]
    save_formset = _alias_saving(PersonAliasInline)
    mentioned_in = "participations__communique"


@admin.register(Place)
class PlaceAdmin(EntityAdmin):
    list_display = ["name", "kind", "country_code", "mentions"]
    list_filter = ["kind"]
    inlines = [PlaceAliasInline]
    save_formset = _alias_saving(PlaceAliasInline)


@admin.register(Resolution)
class ResolutionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "body", "number", "year"]
    list_filter = ["body"]
    search_fields = ["number", "title"]
    readonly_fields = ["slug"]
