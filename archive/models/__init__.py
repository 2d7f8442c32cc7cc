from archive.models.audit import AuditEntry
from archive.models.communique import (
    Communique,
    Demand,
    Paragraph,
    Participation,
    Revision,
    Tombstone,
)
from archive.models.entities import (
    FormerAddress,
    Organization,
    OrganizationAlias,
    Person,
    PersonAlias,
    Place,
    PlaceAlias,
    Resolution,
)
from archive.models.imports import ImportBatch, ImportItem
from archive.models.research import DemandRepeat

__all__ = [
    "AuditEntry",
    "Communique",
    "Demand",
    "DemandRepeat",
    "FormerAddress",
    "ImportBatch",
    "ImportItem",
    "Organization",
    "OrganizationAlias",
    "Paragraph",
    "Participation",
    "Person",
    "PersonAlias",
    "Place",
    "PlaceAlias",
    "Resolution",
    "Revision",
    "Tombstone",
]
