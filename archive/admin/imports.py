"""Uploading files in the admin, and the review list of what each batch became."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from archive.ingest.pipeline import ingest_source
from archive.ingest.sources import iter_upload
from archive.models import ImportBatch, ImportItem


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        # An empty file goes on to the importer, which records it in the batch as failed,
        # with why; Django's own check would drop it with a bare form error.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(d, initial) for d in data]
        # No file at all (an empty list): the single check says that one is required.
        return [single(data or None, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        help_text="Text, PDF, DOCX, HTML or Markdown files, or .zip archives of them."
    )
    publish = forms.BooleanField(
        required=False, help_text="Publish at once instead of keeping drafts for review."
    )
    batch = forms.IntegerField(required=False, widget=forms.HiddenInput)


def upload_view(request):
    """One file, many files or a .zip: each becomes a draft, a duplicate or a reasoned failure.

    Without JavaScript the browser posts all files at once; with it, static/js/upload.js posts
    them one by one into the same batch, so the admin sees progress file by file.
    """
    if not request.user.has_perm("archive.add_communique"):
        raise PermissionDenied
    # Bound on any POST, even one with no file, so that it says a file is required.
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        batch = _batch(request, form.cleaned_data.get("batch"))
        results = []
        for upload in form.cleaned_data["files"]:
            for source in iter_upload(
                upload.name,
                upload.read(),
                max_file_bytes=settings.BAYAN_MAX_FILE_BYTES,
                max_archive_bytes=settings.BAYAN_MAX_ARCHIVE_BYTES,
            ):
                results.append(
                    ingest_source(
                        source,
                        user=request.user,
                        publish=form.cleaned_data["publish"],
                        batch=batch,
                    )
                )
        batch.total = batch.items.count()
        batch.finished_at = timezone.now()
        batch.save(update_fields=["total", "finished_at"])
        review_url = reverse("admin:archive_importbatch_change", args=[batch.pk])
        if request.headers.get("Accept") == "application/json":
            return JsonResponse(
                {
                    "batch": batch.pk,
                    "review": review_url,
                    "results": [
                        {"name": r.name, "outcome": r.outcome, "message": r.message}
                        for r in results
                    ],
                }
            )
        return redirect(review_url)
    if request.method == "POST" and request.headers.get("Accept") == "application/json":
        # static/js/upload.js reads JSON: a form error (no file chosen) must come back as such.
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    context = {
        **admin.site.each_context(request),
        "form": form,
        "title": "Upload communiqués",
        "opts": ImportBatch._meta,
        "max_mb": settings.BAYAN_MAX_FILE_BYTES // (1024 * 1024),
    }
    return render(request, "admin/archive/communique/upload.html", context)


def _batch(request, batch_id: int | None) -> ImportBatch:
    if batch_id:
        return get_object_or_404(ImportBatch, pk=batch_id, created_by=request.user)
    return ImportBatch.objects.create(created_by=request.user, label="Upload in the admin")


class ImportItemInline(admin.TabularInline):
    model = ImportItem
    extra = 0
    can_delete = False
    fields = ["name", "outcome", "message", "record", "original"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Record")
    def record(self, item):
        if item.communique_id is None:
            return "—"
        url = reverse("admin:archive_communique_change", args=[item.communique_id])
        return format_html('<a href="{}">Review “{}”</a>', url, item.communique)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "created_at",
        "created_by",
        "total",
        "imported",
        "duplicates",
        "failed",
    ]
    readonly_fields = ["label", "created_at", "created_by", "total", "finished_at"]
    inlines = [ImportItemInline]

    def has_add_permission(self, request):
        return False

    def _count(self, batch, outcome):
        return batch.items.filter(outcome=outcome).count()

    @admin.display(description="Imported")
    def imported(self, batch):
        return self._count(batch, ImportItem.Outcome.IMPORTED)

    @admin.display(description="Duplicates")
    def duplicates(self, batch):
        return self._count(batch, ImportItem.Outcome.DUPLICATE)

    @admin.display(description="Failed")
    def failed(self, batch):
        return self._count(batch, ImportItem.Outcome.FAILED)
