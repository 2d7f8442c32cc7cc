"""Shared records that communiqués point to: persons, organizations, places, resolutions.

Names reach us in many spellings ("SOC", "Syrian Opposition Coalition", "National Coalition
of Syrian Revolution and Opposition Forces"). Each entity keeps its aliases in a table of its
own, keyed by a normalized form, so that every import of every document converges on one
record per entity.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import models, transaction
from django.urls import reverse
from django.utils.text import slugify


def alias_key(name: str) -> str:
    """The form under which two spellings of one name meet.

    Case, accents, punctuation, a leading "the" and runs of spaces do not distinguish names;
    Arabic letters are kept (slugify would drop them).
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").casefold()
    text = re.sub(r"[^\w]+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    return text


def unique_slug(model: type[models.Model], name: str, max_length: int = 80) -> str:
    base = slugify(name, allow_unicode=True)[:max_length].strip("-") or "entity"
    slug, n = base, 2
    # Nor a merged record's former slug, whose addresses lead to the record it became.
    former = FormerAddress.objects.filter(model=model._meta.label_lower)
    while model._default_manager.filter(slug=slug).exists() or former.filter(slug=slug).exists():
        slug = f"{base[: max_length - 6]}-{n}"
        n += 1
    return slug


class EntityQuerySet(models.QuerySet):
    def by_alias(self, name: str):
        """The entity known under this name or one of its aliases, or None."""
        key = alias_key(name)
        if not key:
            return None
        return self.filter(aliases__key=key).first()

    def resolve(self, name: str, **defaults):
        """The entity with this name or alias, created (with that alias) when none exists.

        Only exact alias matches link: two people who merely share a surname are never
        merged silently; an admin merges records by hand (archive.entities.merge).
        """
        name = " ".join(name.split())
        existing = self.by_alias(name)
        if existing is not None:
            return existing, False
        with transaction.atomic():
            entity = self.create(name=name, slug=unique_slug(self.model, name), **defaults)
        return entity, True


class Entity(models.Model):
    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=90, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(type(self), self.name)
        super().save(*args, **kwargs)
        self.add_alias(self.name)

    def add_alias(self, name: str) -> None:
        key = alias_key(name)
        # A spelling already pointing to another record stays there: linking it here would
        # merge two entities behind the admin's back.
        if key and not self.aliases.model.objects.filter(key=key).exists():
            self.aliases.create(key=key, name=name)


class Alias(models.Model):
    name = models.CharField(max_length=300)
    # Unique per entity type: one spelling can only ever point to one record.
    key = models.CharField(max_length=300, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organization(Entity):
    class Kind(models.TextChoices):
        ORGANIZATION = "organization", "Organization"
        GOVERNMENT = "government", "Government"
        INTERNATIONAL = "international", "International body"
        COLLECTIVE = "collective", "Named collective"

    acronym = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ORGANIZATION)

    class Meta(Entity.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("archive:organization", args=[self.slug])

    @property
    def label(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class OrganizationAlias(Alias):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="aliases")


class Person(Entity):
    class Meta(Entity.Meta):
        verbose_name_plural = "persons"

    def get_absolute_url(self) -> str:
        return reverse("archive:person", args=[self.slug])


class PersonAlias(Alias):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")


class Place(Entity):
    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        REGION = "region", "Region"
        CITY = "city", "City"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country_code = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    geonameid = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta(Entity.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("archive:place", args=[self.slug])


class PlaceAlias(Alias):
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="aliases")


class Resolution(models.Model):
    """A resolution or instrument, e.g. UN Security Council Resolution 2254 (2015)."""

    body = models.CharField(max_length=40, help_text='Issuing body, e.g. "UNSC", "UNGA"')
    number = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300, blank=True)
    slug = models.SlugField(max_length=90, unique=True)

    class Meta:
        ordering = ["body", "number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="unique_resolution"),
        ]

    def __str__(self) -> str:
        label = f"{self.body} Resolution {self.number}"
        return f"{label} ({self.year})" if self.year else label

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(f"{self.body}-{self.number}")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("archive:resolution", args=[self.slug])


class FormerAddress(models.Model):
    """The slug of an entity merged into another (archive.entities.merge): the pages, feeds
    and API answers at its old addresses lead to the entity it became, as links to it, cited
    or bookmarked, must keep working."""

    model = models.CharField(max_length=40)  # the entity's model, as "archive.person"
    slug = models.CharField(max_length=90)
    entity_id = models.PositiveBigIntegerField()  # of that model

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "slug"], name="unique_former_address"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.slug}"
