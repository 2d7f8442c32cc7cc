"""The communiqué in the admin: list, review beside the text, correct, publish."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.urls import path
from django.utils.text import smart_split, unescape_string_literal

from archive import publishing, review
from archive.admin.imports import upload_view
from archive.idset import id_set
from archive.models import Communique, Demand, Paragraph, Participation
from archive.models.communique import EDITED_NOTE


class ParagraphInline(admin.TabularInline):
    model = Paragraph
    extra = 0
    fields = ["number", "text"]


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    fields = ["position", "person", "rank", "role", "organization"]
    autocomplete_fields = ["person", "organization"]


class DemandInline(admin.StackedInline):
    model = Demand
    extra = 0
    fields = ["position", "text", "paragraph", "verb", "speaker", "addressees"]
    autocomplete_fields = ["speaker", "addressees"]


@admin.register(Communique)
class CommuniqueAdmin(admin.ModelAdmin):
    change_form_template = "admin/archive/communique/change_form.html"
    list_display = ["title", "public_id", "issuer", "date", "status", "language", "needs_ocr"]
    list_filter = [
        "status",
        ("issuer", admin.RelatedOnlyFieldListFilter),
        ("date", admin.DateFieldListFilter),
        "language",
        "needs_ocr",
    ]
    # As Django searches them, but for the paragraphs: get_search_results.
    search_fields = ["title", "public_id", "issuer__name", "issuer__acronym", "paragraphs__text"]
    date_hierarchy = "date"
    list_select_related = ["issuer"]
    autocomplete_fields = ["issuer", "meeting_place", "places", "resolutions", "translation_of"]
    readonly_fields = [
        "public_id",
        "sha256",
        "original_name",
        "original_format",
        "added_by",
        "created_at",
        "updated_at",
        "published_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "language", "translation_of", "status", "needs_ocr"]}),
        (
            "Issuance",
            {"fields": ["issuer", "issuer_body", "date", "meeting_date", "meeting_place"]},
        ),
        ("Mentions", {"fields": ["places", "resolutions"]}),
        (
            "Provenance",
            {
                "fields": [
                    "public_id",
                    "source_url",
                    "original",
                    "original_name",
                    "original_format",
                    "sha256",
                    "added_by",
                    "created_at",
                    "updated_at",
                    "published_at",
                ]
            },
        ),
    ]
    inlines = [ParagraphInline, ParticipationInline, DemandInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["publish", "unpublish"]

    def get_search_results(self, request, queryset, search_term):
        """Django's search (each word, or "quoted words", in any of the fields), with the
        communiqués whose paragraphs hold the word read once, as ids (archive.idset).

        Django joins a to-many field, which lists a communiqué once per matching paragraph,
        and then needs a DISTINCT over every column; and the list, its count and its dates
        each read all 805,000 paragraphs again. A word took 6.5 s at 100,000 communiqués
        (measured)."""
        fields = [f for f in self.search_fields if f != "paragraphs__text"]
        for word in _words(search_term):
            in_text = id_set(
                list(
                    Paragraph.objects.filter(text__icontains=word)
                    .values_list("communique_id", flat=True)
                    .distinct()
                )
            )
            in_fields = [models.Q(**{f"{field}__icontains": word}) for field in fields]
            queryset = queryset.filter(
                models.Q(*in_fields, models.Q(pk__in=in_text), _connector=models.Q.OR)
            )
        return queryset, False

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(upload_view),
            name="archive_communique_upload",
        )
        return [upload, *super().get_urls()]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Each published state is a revision: a correction keeps what was cited before.
        publishing.record_revision(form.instance, request.user, EDITED_NOTE)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        communique = self.get_object(request, object_id)
        extra = {"review": review.marked(communique) if communique else None}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @admin.action(description="Publish the selected communiqués", permissions=["change"])
    def publish(self, request, queryset):
        drafts = queryset.filter(status=Communique.Status.DRAFT)
        count = 0
        for communique in drafts:
            if communique.needs_ocr and not communique.paragraphs.exists():
                self.message_user(
                    request,
                    f"“{communique}” has no text yet (needs OCR): add its text, then publish.",
                    messages.WARNING,
                )
                continue
            publishing.publish(communique, request.user)
            count += 1
        self.message_user(request, f"Published {count} communiqué(s).", messages.SUCCESS)

    @admin.action(description="Unpublish the selected communiqués", permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for communique in queryset.filter(status=Communique.Status.PUBLISHED):
            publishing.unpublish(communique, request.user)
            count += 1
        self.message_user(request, f"Unpublished {count} communiqué(s).", messages.SUCCESS)


def _words(search_term: str) -> list[str]:
    """The search box's words as Django's admin reads them: "quoted words" stay one."""
    words = []
    for bit in smart_split(search_term):
        if bit[:1] in "\"'" and len(bit) > 1 and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        words.append(bit)
    return words
