"""Settings come from the environment; a malformed value is refused, never guessed."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_config, env_bool, env_int, search_connection

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool_refuses_a_word_it_does_not_know(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG='maybe' is not a boolean"):
        env_bool("DJANGO_DEBUG")


def test_env_int_refuses_a_non_number(monkeypatch):
    monkeypatch.setenv("BAYAN_MAX_FILE_MB", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("BAYAN_MAX_FILE_MB", 25)


def test_no_database_url_means_sqlite_under_the_data_dir(tmp_path):
    config = database_config("", tmp_path / "bayan.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "bayan.sqlite3")


def test_database_url_selects_postgresql():
    config = database_config("postgres://u:p@db:5432/bayan", Path("/unused"))
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db", 5432, "bayan")


def test_database_url_with_an_unknown_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="scheme 'mysql'"):
        database_config("mysql://u:p@db/bayan", Path("/unused"))


def test_search_url_whoosh_path():
    config = search_connection("whoosh:///srv/bayan/index", Path("/unused"))
    assert config == {"ENGINE": "search.backend.BayanWhooshEngine", "PATH": "/srv/bayan/index"}


def test_search_url_selects_elasticsearch_with_index_name():
    config = search_connection("elasticsearch://search:9200/bayan", Path("/unused"))
    assert config["ENGINE"] == "search.engines.elasticsearch.BayanElasticsearch7Engine"
    assert (config["URL"], config["INDEX_NAME"]) == ("http://search:9200/", "bayan")


def test_search_url_selects_solr_core():
    config = search_connection("solr://search:8983/solr/bayan", Path("/unused"))
    assert config["ENGINE"] == "search.engines.solr.BayanSolrEngine"
    assert config["URL"] == "http://search:8983/solr/bayan"


def test_search_url_with_an_unknown_engine_is_refused():
    with pytest.raises(ImproperlyConfigured, match="SEARCH_URL has scheme 'lucene'"):
        search_connection("lucene://x/y", Path("/unused"))


def _django(args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = _django(["check"], DJANGO_DEBUG="0", DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "set DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 20 + "-a-long-random-production-key-0123456789",
        DJANGO_ALLOWED_HOSTS="bayan.example.org",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_data_dir_moves_the_embedded_database_and_index(tmp_path):
    result = _django(
        [
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings as s; print(s.DATABASES['default']['NAME']); "
            "print(s.HAYSTACK_CONNECTIONS['default']['PATH'])",
        ],
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(tmp_path / "bayan.sqlite3"), str(tmp_path / "index")]


def test_migrations_match_the_models():
    result = _django(["makemigrations", "--check", "--dry-run"], DATA_DIR="/tmp/bayan-mm")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_search_switches_come_from_the_environment(tmp_path):
    """BAYAN_SEARCH_FAST and BAYAN_SEARCH_CACHE_MB reach the embedded search through settings;
    a value that is not a boolean stops the start with the variable's name."""
    show = (
        "from search.fast import FastTables, fast_path_enabled; "
        "print(fast_path_enabled(), FastTables().segments.budget)"
    )
    args = ["shell", "--no-imports", "-c", show]
    default = _django(args, DATA_DIR=str(tmp_path))
    assert default.returncode == 0, default.stderr
    assert default.stdout.split() == ["True", str(64 * 2**20)]
    chosen = _django(
        args, DATA_DIR=str(tmp_path), BAYAN_SEARCH_FAST="0", BAYAN_SEARCH_CACHE_MB="16"
    )
    assert chosen.stdout.split() == ["False", str(16 * 2**20)]
    wrong = _django(args, DATA_DIR=str(tmp_path), BAYAN_SEARCH_FAST="maybe")
    assert wrong.returncode != 0
    assert "BAYAN_SEARCH_FAST='maybe' is not a boolean" in wrong.stderr


def _page_cache_pages(tmp_path, **env) -> list[int]:
    """How many communiqué pages and results pages each process keeps."""
    result = _django(
        [
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings as s; "
            "print(s.BAYAN_PAGE_CACHE_PAGES, s.BAYAN_RESULTS_CACHE_PAGES)",
        ],
        DJANGO_SECRET_KEY="x" * 20 + "-a-long-random-production-key-0123456789",
        DATA_DIR=str(tmp_path),
        **env,
    )
    assert result.returncode == 0, result.stderr
    return [int(n) for n in result.stdout.split()]


def test_pages_are_kept_in_production_and_drawn_each_time_in_development(tmp_path):
    # In development an edited template must show at the next reading.
    assert _page_cache_pages(tmp_path, DJANGO_DEBUG="0") == [5000, 1000]
    assert _page_cache_pages(tmp_path, DJANGO_DEBUG="1") == [0, 0]
    chosen = _page_cache_pages(
        tmp_path, DJANGO_DEBUG="1", BAYAN_PAGE_CACHE_PAGES="300", BAYAN_RESULTS_CACHE_PAGES="40"
    )
    assert chosen == [300, 40]


def test_log_level_silences_djangos_own_warnings_too(tmp_path):
    # A 404 is a warning of Django's request logger; LOG_LEVEL=ERROR is asked to drop it.
    ask = (
        "import logging; logging.getLogger('django.request').warning('Not Found: /c/x/'); "
        "logging.getLogger('archive').error('an error')"
    )

    def logged(**env) -> str:
        result = _django(
            ["shell", "--no-imports", "-c", ask],
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="x" * 20 + "-a-long-random-production-key-0123456789",
            DATA_DIR=str(tmp_path),
            **env,
        )
        assert result.returncode == 0, result.stderr
        return result.stderr

    assert "Not Found: /c/x/" in logged()
    quiet = logged(LOG_LEVEL="ERROR")
    assert "Not Found" not in quiet
    assert "an error" in quiet
