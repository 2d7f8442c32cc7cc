from archive.admin import communique, entities, imports  # noqa: F401  (registers the admins)
