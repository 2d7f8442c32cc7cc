"""docker-compose.yml gives each service the environment the settings read.

No Docker engine runs here, so the file is parsed, never run.
"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["web", "worker"]


def test_compose_runs_the_app_postgres_and_a_search_engine():
    assert {"web", "worker", "db", "search"} <= set(SERVICES)
    assert SERVICES["db"]["image"].startswith("postgres:15")
    assert "elasticsearch" in SERVICES["search"]["image"]


def test_app_services_get_the_variables_the_settings_read():
    for name in APP_SERVICES:
        env = SERVICES[name]["environment"]
        for variable in (
            "DJANGO_SECRET_KEY",
            "DJANGO_DEBUG",
            "DJANGO_ALLOWED_HOSTS",
            "DATABASE_URL",
            "SEARCH_URL",
            "DATA_DIR",
            "MEDIA_ROOT",
            "STATIC_ROOT",
        ):
            assert variable in env, f"{name} lacks {variable}"
        assert env["DJANGO_DEBUG"] == "0"


def test_database_url_points_at_the_db_service_with_its_credentials():
    env = SERVICES["web"]["environment"]
    db = SERVICES["db"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://bayan:")
    assert "@db:5432/bayan" in env["DATABASE_URL"]
    assert db["POSTGRES_DB"] == "bayan" and db["POSTGRES_USER"] == "bayan"


def test_search_url_points_at_the_search_service():
    env = SERVICES["web"]["environment"]
    assert "elasticsearch://search:9200/" in env["SEARCH_URL"]


def test_web_is_served_by_gunicorn_and_the_worker_drains_the_index_queue():
    assert "gunicorn config.wsgi" in SERVICES["web"]["command"]
    assert "drain_index" in SERVICES["worker"]["command"]


def test_app_waits_for_healthy_db_and_search():
    for name in APP_SERVICES:
        depends = SERVICES[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["search"]["condition"] == "service_healthy"
