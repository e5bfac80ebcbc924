import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.helpers import page_text

ROOT = Path(__file__).resolve().parents[2]


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()


def test_the_sitemap_lists_every_public_page_with_lastmod(client, clinic_content, booking_rules):
    content = client.get("/sitemap.xml").content.decode()
    urls = re.findall(r"<loc>(.*?)</loc>", content)
    assert len(urls) >= 10
    assert "http://testserver/" in urls and "http://testserver/faq/" in urls
    assert "http://testserver/conditions/achilles-tendinopathy/" in urls
    assert "http://testserver/book/" in urls and "http://testserver/privacy/" in urls
    assert "http://testserver/team/" in urls and "http://testserver/es/equipo/" in urls
    assert "http://testserver/knee-pain/" not in urls  # not written yet
    assert content.count("<lastmod>") == len(urls)


def test_a_missing_page_is_a_404_in_the_sites_look(client, clinic_content):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in page_text(response)
    assert 'href="/book/"' in response.content.decode()


def test_a_server_error_page_is_in_the_sites_look_without_touching_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert "/static/css/site.css" in response.content.decode()


def test_every_page_carries_a_strict_content_security_policy(client, clinic_content):
    for url in ["/", "/faq/", "/conditions/achilles-tendinopathy/", "/book/", "/no-such-page/"]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe" not in policy
        content = response.content.decode()
        assert " style=" not in content and not re.search(r"\son\w+=", content), url
        assert not re.search(r"<script(?![^>]*(\ssrc=|application/ld\+json))", content), url


def test_one_h1_per_page_and_a_skip_link(client, clinic_content):
    for url in ["/", "/faq/", "/conditions/achilles-tendinopathy/", "/book/", "/no-such-page/"]:
        content = client.get(url).content.decode()
        assert content.count("<h1") == 1, url
        assert '<a class="skip-link" href="#main">' in content and 'id="main"' in content


def run_django(*args, env=None):
    environment = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    environment.update(env or {})
    environment["DJANGO_SETTINGS_MODULE"] = "clinic_site.settings"
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_the_site_refuses_to_start_with_debug_off_and_no_secret_key():
    result = run_django("manage.py", "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


# Everything the README's Production section sets.
PRODUCTION = {
    "SECRET_KEY": "p" * 20 + "-production-like-secret-key-with-enough-variety-1234567890",
    "ALLOWED_HOSTS": "clinic.example",
    "CSRF_TRUSTED_ORIGINS": "https://clinic.example",
    "SITE_URL": "https://clinic.example",
    "EMAIL_URL": "smtp+tls://citas%40clinic.example:secret@smtp.clinic.example:587",
    "DEFAULT_FROM_EMAIL": "Return to Running <citas@clinic.example>",
    "CLINIC_NOTIFICATION_EMAIL": "recepcion@clinic.example",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
}


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = run_django(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING",
        env={**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "left_out, named",
    [
        ("EMAIL_URL", "EMAIL_URL is not set"),
        ("SITE_URL", "SITE_URL is 'http://127.0.0.1:8000'"),
        ("DEFAULT_FROM_EMAIL", "DEFAULT_FROM_EMAIL is 'Return to Running <citas@localhost>'"),
        ("CLINIC_NOTIFICATION_EMAIL", "The clinic has no address to receive new requests"),
        ("CACHE_URL", "CACHE_URL is not set"),
    ],
)
def test_the_deployment_checks_fail_on_each_unsafe_default_naming_it(migrated_database_url, left_out, named):
    env = {key: value for key, value in PRODUCTION.items() if key != left_out}
    result = run_django("manage.py", "check", "--deploy", "--fail-level", "WARNING",
                        env={**env, "DATABASE_URL": migrated_database_url})

    assert result.returncode != 0
    assert named in result.stderr


@pytest.mark.parametrize(
    "setting, value, named",
    [
        ("SITE_URL", "http://clinic.example", "SITE_URL does not start with https://"),
        ("EMAIL_URL", "consolemail://", "EMAIL_URL is not set: the email backend prints every email to the log"),
        ("EMAIL_URL", "dummymail://", "EMAIL_URL is not set: the email backend throws every email away"),
        ("DEFAULT_FROM_EMAIL", "citas@clinic.localhost", "DEFAULT_FROM_EMAIL is 'citas@clinic.localhost'"),
    ],
)
def test_the_deployment_checks_fail_on_unsafe_values(tmp_path, setting, value, named):
    result = run_django("manage.py", "check", "--deploy", "--fail-level", "WARNING",
                        env={**PRODUCTION, setting: value, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})

    assert result.returncode != 0
    assert named in result.stderr


def test_an_address_staff_set_in_the_admin_satisfies_the_inbox_check(migrated_database_url):
    env = {key: value for key, value in PRODUCTION.items() if key != "CLINIC_NOTIFICATION_EMAIL"}
    env["DATABASE_URL"] = migrated_database_url
    script = "import django; django.setup(); from clinic.models import Clinic; Clinic(name='C', email='hola@clinic.example').save()"
    assert run_django("-c", script, env=env).returncode == 0

    result = run_django("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stderr


def test_with_debug_off_whitenoise_serves_the_stylesheet(tmp_path, migrated_database_url):
    env = {
        "SECRET_KEY": "another-production-like-secret-key-for-this-test-only-0987654321",
        "DATABASE_URL": migrated_database_url,
        "STATIC_ROOT": str(tmp_path / "static"),
        "ALLOWED_HOSTS": "testserver",
    }
    assert run_django("manage.py", "collectstatic", "--no-input", env=env).returncode == 0
    script = (
        "import django, re; django.setup();"
        "from django.test import Client; c = Client();"
        "page = c.get('/no-such-page/', secure=True).content.decode();"
        "href = re.search(r'href=\"(/static/css/site\\.[0-9a-f]+\\.css)\"', page).group(1);"
        "r = c.get(href, secure=True); print(r.status_code, r['Cache-Control'])"
    )
    result = run_django("-c", script, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("200 max-age=315360000")


def test_make_run_serves_the_photos_staff_upload_and_production_leaves_them_to_nginx(settings):
    import importlib

    from django.urls import Resolver404, clear_url_caches, resolve

    import clinic_site.urls

    try:
        settings.DEBUG = True
        importlib.reload(clinic_site.urls)
        clear_url_caches()
        assert resolve("/media/pictures/photo.jpg").func.__name__ == "serve"
        settings.DEBUG = False
        importlib.reload(clinic_site.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve("/media/pictures/photo.jpg")
    finally:
        settings.DEBUG = False
        importlib.reload(clinic_site.urls)
        clear_url_caches()
