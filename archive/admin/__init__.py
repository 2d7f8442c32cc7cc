from archive.admin import audit, communique, demands, entities, imports  # noqa: F401  (registers the admins)
