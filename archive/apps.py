from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archive"

    def ready(self) -> None:
        # Registers the tombstone handler and the audit log's handlers.
        from archive import audit, signals  # noqa: F401
