from archive.admin import communique, demands, entities, imports  # noqa: F401  (registers the admins)
