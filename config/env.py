"""Typed readers for settings that come from the environment.

Each helper refuses a malformed value with a message that names the variable and what it
expects, instead of guessing: a typo in production should stop the start, not run quietly
with a default.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise ImproperlyConfigured(f"{name}={raw!r} must be an absolute path.")
    return path


def database_config(url: str, default_sqlite: Path) -> dict:
    """DATABASE_URL, or the embedded SQLite file under DATA_DIR when it is unset."""
    if not url:
        # The embedded default needs nothing but a folder: make it on first use.
        default_sqlite.parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite),
            # Kept open between requests, as DATABASE_URL's are: opening one and setting its
            # pragmas took a third of a request answered from archive.pagecache (profiled).
            "CONN_MAX_AGE": 60,
            # Several gunicorn workers and an importer share one file: wait for a lock instead
            # of failing at once, and let readers proceed while one writer commits.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL has scheme {scheme!r}: use postgres://user:password@host:5432/name "
            "(or leave it unset for the embedded SQLite database)."
        )
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    return config


SEARCH_ENGINES = {
    "whoosh": "search.backend.BayanWhooshEngine",
    # Haystack's engines with Bayan's Arabic/French/English analyzers declared (search.engines).
    "elasticsearch": "search.engines.elasticsearch.BayanElasticsearch7Engine",
    "solr": "search.engines.solr.BayanSolrEngine",
}


def search_connection(url: str, default_index: Path) -> dict:
    """Translate SEARCH_URL into a Haystack connection.

    whoosh:///srv/bayan/index, elasticsearch://host:9200/bayan, solr://host:8983/solr/bayan.
    """
    if not url:
        return {"ENGINE": SEARCH_ENGINES["whoosh"], "PATH": str(default_index)}
    parts = urlsplit(url)
    if parts.scheme not in SEARCH_ENGINES:
        raise ImproperlyConfigured(
            f"SEARCH_URL has scheme {parts.scheme!r}: use one of "
            + ", ".join(f"{s}://" for s in SEARCH_ENGINES)
            + " (for example whoosh:///srv/bayan/index or elasticsearch://search:9200/bayan)."
        )
    engine = SEARCH_ENGINES[parts.scheme]
    if parts.scheme == "whoosh":
        if not parts.path.startswith("/"):
            raise ImproperlyConfigured(
                "SEARCH_URL for Whoosh needs an absolute path: whoosh:///path"
            )
        return {"ENGINE": engine, "PATH": parts.path}
    if not parts.hostname:
        raise ImproperlyConfigured(f"SEARCH_URL={url!r} names no host.")
    host = f"http://{parts.netloc}"
    name = parts.path.strip("/")
    # Haystack swallows write errors unless told not to; the index queue must see them to
    # retry instead of dropping the update.
    common = {"INCLUDE_SPELLING": True, "SILENTLY_FAIL": False}
    if parts.scheme == "elasticsearch":
        return {"ENGINE": engine, "URL": host + "/", "INDEX_NAME": name or "bayan", **common}
    return {
        **common,
        "ENGINE": engine,
        "URL": f"{host}/{name or 'solr/bayan'}",
        "ADMIN_URL": f"{host}/solr/admin/cores",
    }
