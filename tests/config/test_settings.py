"""Production settings pass Django's deployment checklist; cookies are host-only."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import ROOT_HOST, host_client

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SENTRA_", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgresql://sentra:secret@db.internal:5432/sentra",
        REDIS_URL="rediss://cache.internal:6379/0",
        SENTRA_S3_BUCKET="sentra-production-uploads",
        SENTRA_ROOT_DOMAIN="sentra.id",
        SENTRA_PII_KEYS="k2:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        SENTRA_PII_INDEX_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        SENTRA_VOUCHER_SIGNING_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
    )
    env.update(overrides)
    return env


def test_check_deploy_with_production_settings_reports_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "REDIS_URL",
        "SENTRA_ROOT_DOMAIN",
        "SENTRA_PII_KEYS",
        "DJANGO_SECRET_KEY",
        "SENTRA_VOUCHER_SIGNING_KEY",
    ],
)
def test_production_refuses_to_start_without_its_configuration(missing: str) -> None:
    env = _production_env()
    del env[missing]

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert f"Environment variable {missing} is required." in result.stderr


def test_session_and_csrf_cookies_are_host_only_and_secure(db: None) -> None:
    response = host_client(ROOT_HOST).get("/accounts/login/")

    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert settings.CSRF_COOKIE_NAME.startswith("__Host-")
    assert settings.SESSION_COOKIE_NAME.startswith("__Host-")
    assert csrf["secure"] is True
    assert csrf["path"] == "/"
    assert csrf["domain"] == ""


def test_application_settings() -> None:
    assert settings.LANGUAGE_CODE == "id"
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert settings.DATABASES["default"]["ENGINE"] == "tenants.postgresql_backend"
    assert settings.CACHES["default"]["KEY_FUNCTION"] == "tenants.cache.make_key"


PUBLISHED = {
    "DJANGO_SECRET_KEY": "insecure-local-only-key-change-me-in-production",
    "SENTRA_PII_KEYS": "dev1:ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=",
    "SENTRA_PII_INDEX_KEY": "ZGV2LW9ubHktaW5kZXgta2V5LW5vdC1mb3ItcHJvZCE=",
    "SENTRA_VOUCHER_SIGNING_KEY": "ZGV2LW9ubHktdm91Y2hlci1rZXktbm90LXByb2QhISE=",
}


def _check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_production_refuses_the_keys_published_with_the_source(name: str) -> None:
    result = _check(_production_env(**{name: PUBLISHED[name]}))

    assert result.returncode != 0
    assert f"{name}: the development key published with Sentra's source code" in result.stderr


def test_production_refuses_a_published_key_kept_as_an_older_personal_data_key() -> None:
    new = "k2:" + base64.b64encode(secrets.token_bytes(32)).decode()
    # The same key with another id and without its padding is still the published key.
    published = "old:" + PUBLISHED["SENTRA_PII_KEYS"].split(":")[1].rstrip("=") + "="

    result = _check(_production_env(SENTRA_PII_KEYS=f"{new},{published}"))

    assert result.returncode != 0
    assert "SENTRA_PII_KEYS: the development key published" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SENTRA_PII_INDEX_KEY", base64.b64encode(b"sixteen bytes!!!").decode()),
        ("SENTRA_VOUCHER_SIGNING_KEY", "not base64 at all"),
        ("SENTRA_PII_KEYS", base64.b64encode(bytes(range(32))).decode()),  # no id
    ],
)
def test_production_refuses_keys_of_the_wrong_form(name: str, value: str) -> None:
    result = _check(_production_env(**{name: value}))

    assert result.returncode != 0
    assert name in result.stderr
    assert "must" in result.stderr


def test_the_deployment_checklist_reports_the_published_keys() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in PUBLISHED and key != "DJANGO_SETTINGS_MODULE"
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"

    result = _check(env, "--deploy")

    assert result.returncode != 0
    reported = [line for line in result.stderr.splitlines() if "sentra.E001" in line]
    assert sorted(line.split("sentra.E001")[1].split()[1] for line in reported) == sorted(PUBLISHED)
