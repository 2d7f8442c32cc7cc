"""The communiqué: a structured record, not a blob of text."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop

from archive.models.entities import Organization, Person, Place, Resolution

# No 0/o, 1/l/i: a public id is read aloud, typed from print and pasted into citations.
_ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_ID_LENGTH = 7


def new_public_id() -> str:
    """A short id that no communiqué, live or deleted, has ever had."""
    while True:
        candidate = "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))
        taken = (
            Communique.objects.filter(public_id=candidate).exists()
            or Tombstone.objects.filter(public_id=candidate).exists()
        )
        if not taken:
            return candidate


def original_path(instance: Communique, filename: str) -> str:
    # Stored under its hash: the same bytes are one file, and names cannot traverse paths.
    suffix = (
        "".join(c for c in filename.rsplit(".", 1)[-1][:8] if c.isalnum())
        if "." in filename
        else ""
    )
    name = instance.sha256 + (f".{suffix.lower()}" if suffix else "")
    return f"originals/{instance.sha256[:2]}/{name}"


class CommuniqueQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Communique.Status.PUBLISHED)

    def with_structure(self):
        """Everything a page reads, in a fixed number of queries (the index: for_index)."""
        # The to-one links of participations and demands come in their own query's joins
        # rather than one more query each.
        return self.select_related("issuer", "meeting_place").prefetch_related(
            "paragraphs",
            models.Prefetch(
                "participations",
                Participation.objects.select_related("person", "organization"),
            ),
            models.Prefetch("demands", Demand.objects.select_related("speaker")),
            "demands__addressees",
            "places",
            "resolutions",
        )

    def for_index(self):
        """What the search index reads (search.search_indexes), each relation as a plain list
        (see `listed`). Prefetched into the relations themselves, as with_structure() does,
        Django builds a filtered QuerySet for every record and relation, and every read of
        one makes a manager: about half of loading and preparing a rebuild's record
        (profiled)."""
        # Columns the index never reads, left unread: a record's twenty-odd dates cost a
        # conversion each. Reading one of them later would cost a query per record.
        unread = ("description", "created_at")
        people = [f"{link}__{name}" for link in ("person", "organization") for name in unread]
        addressees = models.Prefetch(
            "addressees", Organization.objects.defer(*unread), to_attr=_LISTED["addressees"]
        )
        relations = {
            "paragraphs": Paragraph.objects.all(),
            "participations": Participation.objects.select_related("person", "organization").defer(
                *people
            ),
            "demands": Demand.objects.prefetch_related(addressees),
            "places": Place.objects.defer(*unread),
            "resolutions": Resolution.objects.all(),
        }
        return self.select_related("issuer", "meeting_place").prefetch_related(
            *(
                models.Prefetch(name, queryset, to_attr=_LISTED[name])
                for name, queryset in relations.items()
            )
        )


# Where for_index() puts each relation's records.
_LISTED = {
    name: f"listed_{name}"
    for name in ("paragraphs", "participations", "demands", "addressees", "places", "resolutions")
}


def listed(record, relation: str) -> list:
    """`record.<relation>.all()` as a list: as for_index() loaded it, else read now."""
    found = getattr(record, _LISTED[relation], None)
    return found if found is not None else list(getattr(record, relation).all())


class Communique(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    # Identity
    public_id = models.CharField(max_length=12, unique=True, editable=False)
    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=120, allow_unicode=True, blank=True)
    language = models.CharField(max_length=8, default="en", help_text="ISO 639-1 code")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    # Issuance
    issuer = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="issued"
    )
    issuer_body = models.CharField(max_length=200, blank=True, help_text='e.g. "General Assembly"')
    date = models.DateField(null=True, blank=True, db_index=True, help_text="Date of issue")
    meeting_date = models.DateField(null=True, blank=True)
    meeting_place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )

    # Mentions
    places = models.ManyToManyField(Place, blank=True, related_name="communiques")
    resolutions = models.ManyToManyField(Resolution, blank=True, related_name="communiques")

    # Provenance
    source_url = models.URLField(max_length=1000, blank=True)
    original = models.FileField(upload_to=original_path, blank=True, max_length=300)
    original_name = models.CharField(max_length=300, blank=True)
    original_format = models.CharField(max_length=20, blank=True)
    sha256 = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    needs_ocr = models.BooleanField(
        default=False, help_text="The PDF has no text layer: the text must be added by hand."
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a partial index instead (Meta)
    )
    is_synthetic = models.BooleanField(
        default=False, editable=False, help_text="Generated for benchmarks; never real."
    )

    # Translations: one statement in several languages is one original and its translations,
    # each a communiqué of its own (own language, text, structure and permalink).
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        help_text="The original this communiqué is a translation of (same statement).",
        db_index=False,  # a partial index instead (Meta)
    )

    objects = CommuniqueQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["status", "date"]),
            # An issuer's communiqués in date order: the permalink's "previous from this
            # issuer" is one step along it (archive.research.compare).
            models.Index(fields=["issuer", "status", "date"], name="communique_issuer_dates"),
            # The newest published first (the front page, the Atom feed): read from its end,
            # where sorting every published communiqué took 0.3 s at 100,000 (measured).
            models.Index(fields=["status", "published_at"], name="communique_published"),
            # Links most communiqués lack, indexed where present. Whole, their index held one
            # value, NULL, for almost every row, and SQLite's statistics (archive.planner)
            # then judged a lookup of one original's translations to match the whole
            # archive: it read every communiqué instead, 40 ms a permalink page (measured).
            models.Index(
                fields=["translation_of"],
                condition=models.Q(translation_of__isnull=False),
                name="communique_translations",
            ),
            models.Index(
                fields=["added_by"],
                condition=models.Q(added_by__isnull=False),
                name="communique_added_by",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.public_id:
            self.public_id = new_public_id()
        if not self.slug:
            self.slug = slugify(self.title, allow_unicode=True)[:120]
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("archive:communique", args=[self.public_id])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def original_version(self) -> Communique:
        """The original of this statement: itself unless it is a translation."""
        return self.translation_of if self.translation_of_id else self

    def versions(self) -> list[Communique]:
        """The statement in every language, published, the original first."""
        from archive.translations import versions

        return versions(self)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs.all())

    def set_paragraphs(self, texts: list[str]) -> None:
        """Replace the body; demands keep their paragraph numbers."""
        with transaction.atomic():
            self.paragraphs.all().delete()
            Paragraph.objects.bulk_create(
                Paragraph(communique=self, number=n, text=t)
                for n, t in enumerate((t.strip() for t in texts if t.strip()), start=1)
            )

    def snapshot(self) -> dict:
        """The whole record as plain data: what a revision keeps and an export writes."""
        return {
            "title": self.title,
            "language": self.language,
            "issuer": self.issuer.name if self.issuer else "",
            "issuer_body": self.issuer_body,
            "date": self.date.isoformat() if self.date else "",
            "meeting_date": self.meeting_date.isoformat() if self.meeting_date else "",
            "meeting_place": self.meeting_place.name if self.meeting_place else "",
            "paragraphs": [p.text for p in self.paragraphs.all()],
            "participants": [
                {
                    "name": p.person.name,
                    "role": p.role,
                    "organization": p.organization.name if p.organization else "",
                }
                for p in self.participations.all()
            ],
            "demands": [
                {
                    "text": d.text,
                    "paragraph": d.paragraph,
                    "addressee": [a.name for a in d.addressees.all()],
                }
                for d in self.demands.all()
            ],
            "places": [p.name for p in self.places.all()],
            "resolutions": [str(r) for r in self.resolutions.all()],
        }


class Paragraph(models.Model):
    communique = models.ForeignKey(Communique, on_delete=models.CASCADE, related_name="paragraphs")
    number = models.PositiveIntegerField(help_text="1-based; the permalink anchor is #p<number>")
    text = models.TextField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["communique", "number"], name="unique_paragraph"),
        ]

    def __str__(self) -> str:
        return f"¶{self.number}"

    @property
    def anchor(self) -> str:
        return f"p{self.number}"


class Participation(models.Model):
    communique = models.ForeignKey(
        Communique, on_delete=models.CASCADE, related_name="participations"
    )
    position = models.PositiveIntegerField(default=0)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=200, blank=True)
    rank = models.CharField(max_length=100, blank=True, help_text='e.g. "Brigadier General"')
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participations",
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        parts = [self.person.name, self.role]
        if self.organization:
            parts.append(self.organization.name)
        return ", ".join(p for p in parts if p)


class Demand(models.Model):
    """A call, appeal, urging or demand the communiqué makes, and to whom."""

    communique = models.ForeignKey(Communique, on_delete=models.CASCADE, related_name="demands")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(help_text="The sentence that makes the demand")
    paragraph = models.PositiveIntegerField(null=True, blank=True, help_text="Paragraph number")
    verb = models.CharField(max_length=40, blank=True)
    speaker = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="demands_voiced"
    )
    addressees = models.ManyToManyField(Organization, blank=True, related_name="demands_received")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Revision(models.Model):
    """A published state of a communiqué, kept so that what a journalist cited stays readable."""

    communique = models.ForeignKey(Communique, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    data = models.JSONField(help_text="Communique.snapshot() at the time")

    class Meta:
        ordering = ["communique", "number"]
        constraints = [
            models.UniqueConstraint(fields=["communique", "number"], name="unique_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.communique.public_id} r{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("archive:revision", args=[self.communique.public_id, self.number])

    @property
    def shown_note(self) -> str:
        """The note as a reader sees it: one the archive writes itself in their language, an
        editor's as written."""
        return gettext(self.note) if self.note in ARCHIVE_NOTES else self.note


# What the archive notes on a revision itself: published with no note given
# (archive.publishing), or saved from the admin's change form.
PUBLISHED_NOTE = gettext_noop("Published")
EDITED_NOTE = gettext_noop("Edited in the admin")
ARCHIVE_NOTES = frozenset({PUBLISHED_NOTE, EDITED_NOTE})


class Tombstone(models.Model):
    """What remains of a deleted communiqué: its id is never reused and its URL answers 410."""

    public_id = models.CharField(max_length=12, unique=True)
    title = models.CharField(max_length=500)
    issuer = models.CharField(max_length=300, blank=True)
    date = models.DateField(null=True, blank=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.public_id
