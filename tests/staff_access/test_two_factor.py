"""Staff sign in to the admin with a password and a second factor, for a working day."""

import re
import runpy
import subprocess
import sys
from base64 import b32decode
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import URLResolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic_site.staff_groups import CLINIC_EDITORS, RECEPTION
from staff_access.second_factor import make_recovery_codes
from tests.helpers import page_text, staff_member

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-test-password"  # tests.helpers.staff_member's
SET_UP = "/admin/second-factor/set-up/"
ENTER_CODE = "/admin/second-factor/"
RECOVERY_CODES = "/admin/second-factor/recovery-codes/"


@pytest.fixture(autouse=True)
def second_factor_required(settings):
    """As in production (DEBUG off); tests/settings.py turns it off for the other admin tests."""
    settings.STAFF_REQUIRE_2FA = True


@pytest.fixture
def desk(db):
    return staff_member("desk", RECEPTION)


@pytest.fixture
def authenticator(desk):
    """The receptionist's phone, set up at an earlier sign-in."""
    return TOTPDevice.objects.create(user=desk, name="Phone")


@pytest.fixture
def recovery_codes(desk):
    return make_recovery_codes(desk)


def code_from_app(device):
    """What the authenticator app shows now."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device):
    return f"{(int(code_from_app(device)) + 500_000) % 1_000_000:06d}"


def sign_in(client, username="desk", password=PASSWORD, next_page="/admin/"):
    return client.post(f"/admin/login/?next={next_page}", {"username": username, "password": password, "next": next_page})


def hidden_next(response):
    """Where the code form goes on to (the header's language buttons have a `next` of their own, first)."""
    return re.findall(r'name="next" value="([^"]*)"', response.content.decode())[-1]


def admin_addresses():
    """Every address the admin serves, a 1 in each parameter, but the pages for signing in and out."""
    open_before_the_code = {"login", "logout", "second_factor", "set_up_second_factor"}

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern.pattern, RoutePattern) and pattern.name not in open_before_the_code:
                yield prefix + re.sub(r"<[^>]+>", "1", str(pattern.pattern))

    addresses = set(walk(admin.site.get_urls(), "/admin/"))
    # The two the walk cannot spell: each app's page and the catch-all.
    addresses |= {f"/admin/{model._meta.app_label}/" for model in admin.site._registry}
    addresses.add("/admin/no-such-page/")
    return sorted(addresses)


# 1. With the requirement on, a password alone opens nothing.


def test_with_debug_off_a_staff_user_without_a_second_factor_cannot_reach_the_admin(migrated_database_url):
    """The production settings themselves, in their own process: no tests/settings.py in between."""
    script = (
        "import django; django.setup();"
        "from django.contrib.auth.models import User;"
        "User.objects.create_user('desk', password='a-long-test-password', is_staff=True);"
        "from django.test import Client; c = Client();"
        "signed_in = c.post('/admin/login/', {'username': 'desk', 'password': 'a-long-test-password'}, secure=True);"
        "front_page = c.get('/admin/', secure=True);"
        "print(signed_in.status_code, front_page.status_code, front_page['Location'])"
    )
    environment = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "a-production-like-secret-key-for-this-test-only-24680",
                   "DATABASE_URL": migrated_database_url, "ALLOWED_HOSTS": "testserver",
                   "DJANGO_SETTINGS_MODULE": "clinic_site.settings"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["302", "302", "/admin/second-factor/?next=/admin/"]


@pytest.mark.parametrize(
    "environment, required",
    [({"DEBUG": "false"}, True), ({"DEBUG": "true"}, False), ({"DEBUG": "false", "STAFF_REQUIRE_2FA": "false"}, False)],
)
def test_the_requirement_is_on_unless_debugging_or_turned_off_for_single_sign_on(monkeypatch, environment, required):
    monkeypatch.delenv("STAFF_REQUIRE_2FA", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    production = runpy.run_path(str(ROOT / "clinic_site" / "settings.py"))
    assert production["STAFF_REQUIRE_2FA"] is required
    assert production["STAFF_SESSION_HOURS"] == 10


def test_staff_without_a_second_factor_open_no_admin_page(client, desk):
    client.force_login(desk)  # the password given, no code yet
    addresses = admin_addresses() + ["/admin/r/1/1/"]  # the site's own view-on-site shortcut
    assert {"/admin/", "/admin/booking/booking/1/change/", "/admin/booking/booking/1/history/",
            "/admin/password_change/", RECOVERY_CODES} <= set(addresses)

    answers = {url: client.get(url) for url in addresses}

    let_through = {url: response.status_code for url, response in answers.items()
                   if response.status_code != 302 or not response["Location"].startswith(ENTER_CODE + "?next=")}
    assert let_through == {}


def test_the_admin_site_itself_refuses_a_session_without_a_second_factor(rf, desk):
    request = rf.get("/admin/")
    request.user = desk
    desk.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    desk.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_sign_out_is_there_before_the_second_factor(client, desk):
    sign_in(client)
    page = client.get(SET_UP)
    assert 'action="/admin/logout/"' in page.content.decode()

    client.post("/admin/logout/")

    assert "_auth_user_id" not in client.session


def test_the_second_factor_pages_are_for_signed_in_staff_only(client, db):
    for url in (ENTER_CODE, SET_UP):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# 2. The first sign-in sets up the second factor.


def test_at_their_first_sign_in_staff_land_on_setting_up_their_second_factor(client, desk):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/login/")

    response = client.post(response.redirect_chain[-1][0], {"username": "desk", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0].startswith(SET_UP)
    content = response.content.decode()
    assert "<h1>Set up your second factor</h1>" in content
    assert re.search(r'<img class="qr-code" src="data:image/svg\+xml;[^"]+" alt="[^"]+">', content)
    assert re.search(r'<code class="secret">[A-Z2-7 ]{39}</code>', content)  # 32 characters in groups of 4
    field = re.search(r"<input [^>]*name=\"code\"[^>]*>", content).group()
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field
    assert '<label for="id_code">' in content


def test_the_set_up_pages_keep_the_strict_content_security_policy(client, desk):
    sign_in(client)
    for response in (client.get(SET_UP), client.post(SET_UP, {"code": "12"})):
        content = response.content.decode()
        assert "img-src 'self' data:" in response["Content-Security-Policy"]
        assert " style=" not in content and not re.search(r"\son\w+=", content)
        assert not re.search(r"<script(?![^>]*\ssrc=)", content)


def test_setting_up_with_a_code_from_the_app_verifies_the_session_and_opens_the_admin(client, desk):
    sign_in(client)
    page = page_text(client.get(SET_UP))
    secret = re.search(r"time-based\): ([A-Z2-7 ]+) ", page).group(1).replace(" ", "")
    code = f"{TOTP(b32decode(secret)).token():06d}"  # what the app shows once the key is typed in

    response = client.post(SET_UP, {"code": code, "next": "/admin/"})

    assert response.status_code == 302 and response["Location"].startswith(RECOVERY_CODES)
    shown = page_text(client.get(response["Location"]))
    codes = re.findall(r"\b[a-z2-7]{8}\b", shown.split("This is the only time they are shown.")[1])[:10]
    assert len(set(codes)) == 10
    assert set(codes) == set(StaticDevice.objects.get(user=desk).token_set.values_list("token", flat=True))
    assert TOTPDevice.objects.get(user=desk).confirmed
    assert client.get("/admin/").status_code == 200
    again = page_text(client.get(RECOVERY_CODES))
    assert codes[0] not in again and "You have 10 recovery codes left." in again


def test_a_wrong_code_at_set_up_says_so_beside_the_field_and_keeps_the_same_key(client, desk):
    sign_in(client)
    first = client.get(SET_UP)
    secret = re.search(r'<code class="secret">([^<]+)</code>', first.content.decode()).group(1)

    response = client.post(SET_UP, {"code": wrong_code(TOTPDevice.objects.get(user=desk)), "next": "/admin/"})

    content = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'<label for="id_code">.*</label>\s*<ul class="errorlist" id="id_code_error"><li>That code is not right.', content, re.S
    )
    field = re.search(r"<input [^>]*name=\"code\"[^>]*>", content).group()
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_code_helptext id_code_error"' in field
    assert "value=" not in field  # the spent code is not handed back to be corrected
    assert f'<code class="secret">{secret}</code>' in content
    assert hidden_next(response) == "/admin/"
    assert client.get("/admin/").status_code == 302


def test_each_sign_in_sets_up_with_its_own_key(client, desk):
    """Someone else with the password who opened the set-up page never learns the key that gets confirmed."""
    intruder = Client()
    sign_in(intruder)
    sign_in(client)
    seen_by_intruder = re.search(r'<code class="secret">([^<]+)', intruder.get(SET_UP).content.decode()).group(1)
    seen_by_desk = re.search(r'<code class="secret">([^<]+)', client.get(SET_UP).content.decode()).group(1)

    assert seen_by_desk != seen_by_intruder
    assert TOTPDevice.objects.filter(user=desk).count() == 1


# 3. Later sign-ins ask for the code.


def test_staff_with_an_app_give_its_code_after_the_password_and_go_where_they_were_going(client, desk, authenticator):
    response = client.get("/admin/booking/booking/", follow=True)
    response = client.post(response.redirect_chain[-1][0], {"username": "desk", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith(ENTER_CODE)
    assert "Enter your code" in page_text(response)

    response = client.post(ENTER_CODE, {"code": code_from_app(authenticator), "next": hidden_next(response)})

    assert response.status_code == 302 and response["Location"] == "/admin/booking/booking/"
    assert client.get("/admin/booking/booking/").status_code == 200


def test_a_wrong_code_is_refused_and_the_next_try_has_to_wait(client, desk, authenticator):
    sign_in(client)

    wrong = client.post(ENTER_CODE, {"code": wrong_code(authenticator)})
    right_too_soon = client.post(ENTER_CODE, {"code": code_from_app(authenticator)})

    assert "That code is not right." in page_text(wrong)
    assert "Too many wrong codes. Try again in 1 second." in page_text(right_too_soon)
    assert client.get("/admin/").status_code == 302
    authenticator.refresh_from_db()
    assert authenticator.throttling_failure_count == 1

    TOTPDevice.objects.filter(pk=authenticator.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    assert client.post(ENTER_CODE, {"code": code_from_app(authenticator)}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_signs_in_once_only(client, desk, authenticator, recovery_codes):
    sign_in(client)
    response = client.post(ENTER_CODE, {"recovery_code": recovery_codes[0].upper(), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout/")

    sign_in(client)
    used_again = client.post(ENTER_CODE, {"recovery_code": recovery_codes[0]})

    assert "That recovery code is not right, or it has been used already." in page_text(used_again)
    assert client.get("/admin/").status_code == 302
    assert StaticDevice.objects.get(user=desk).token_set.count() == 9


def test_new_recovery_codes_replace_the_old_ones(client, desk, authenticator, recovery_codes):
    sign_in(client)
    client.post(ENTER_CODE, {"code": code_from_app(authenticator)})

    response = client.post(RECOVERY_CODES, {"next": "/admin/"}, follow=True)

    new_codes = set(StaticDevice.objects.get(user=desk).token_set.values_list("token", flat=True))
    assert len(new_codes) == 10 and not new_codes & set(recovery_codes)
    assert all(code in page_text(response) for code in new_codes)


def test_a_password_is_enough_when_the_clinic_signs_staff_in_through_its_own_single_sign_on(client, desk, settings):
    settings.STAFF_REQUIRE_2FA = False

    response = sign_in(client)

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_password_guessing_is_still_locked_out(client, desk, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="wrong")
    response = sign_in(client)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in page_text(response)
    assert "_auth_user_id" not in client.session


# 4. A working day.


def test_a_staff_sign_in_lasts_a_working_day_from_signing_in(client, desk, authenticator, settings):
    settings.SESSION_COOKIE_AGE = 60 * 60  # the public site's hour
    response = sign_in(client)
    signed_in_at = timezone.now()
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == pytest.approx(10 * 3600, abs=60)

    client.post(ENTER_CODE, {"code": code_from_app(authenticator)})
    client.get("/admin/")

    assert abs(client.session.get_expiry_date() - (signed_in_at + timedelta(hours=10))) < timedelta(minutes=1)


# 5. The owner resets a colleague's second factor.


@pytest.fixture
def owner_client(client, admin_user):
    phone = TOTPDevice.objects.create(user=admin_user, name="Owner's phone")
    client.force_login(admin_user)
    client.post(ENTER_CODE, {"code": code_from_app(phone)})
    return client


def test_the_owner_resets_a_colleagues_second_factor_from_the_user_list(owner_client, desk, authenticator, recovery_codes):
    response = owner_client.post(
        "/admin/auth/user/", {"action": "reset_second_factor", "_selected_action": [desk.pk]}, follow=True
    )

    assert "Reset the second factor of 1 user" in page_text(response)
    assert not TOTPDevice.objects.filter(user=desk).exists() and not StaticDevice.objects.filter(user=desk).exists()


def test_the_owner_sees_colleagues_devices_but_never_their_secrets(owner_client, desk, authenticator, recovery_codes):
    listing = owner_client.get("/admin/otp_totp/totpdevice/")
    device_page = owner_client.get(f"/admin/otp_totp/totpdevice/{authenticator.pk}/change/")
    codes_page = owner_client.get(f"/admin/otp_static/staticdevice/{StaticDevice.objects.get(user=desk).pk}/change/")

    assert listing.status_code == 200 and "desk" in page_text(listing)
    assert authenticator.key not in device_page.content.decode()
    assert recovery_codes[0] not in codes_page.content.decode()


def test_a_colleague_who_was_reset_is_signed_out_and_sets_up_again_at_their_next_sign_in(
    client, desk, authenticator, recovery_codes
):
    sign_in(client)
    client.post(ENTER_CODE, {"code": code_from_app(authenticator)})  # a session left open on the lost laptop
    assert client.get("/admin/").status_code == 200

    out = StringIO()
    call_command("reset_second_factor", "desk", stdout=out)

    assert "Removed 2 second-factor device(s) of desk" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=desk).exists() and not StaticDevice.objects.filter(user=desk).exists()
    left_open = client.get(SET_UP)
    assert left_open.status_code == 302 and left_open["Location"].startswith("/admin/login/")
    response = client.post("/admin/login/", {"username": "desk", "password": PASSWORD, "next": "/admin/"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(SET_UP)


def test_a_session_left_open_when_the_owner_deletes_the_devices_must_sign_in_again(
    owner_client, desk, authenticator, recovery_codes
):
    laptop = Client()
    sign_in(laptop)
    laptop.post(ENTER_CODE, {"code": code_from_app(authenticator)})
    for address, model in {"otp_totp/totpdevice": TOTPDevice, "otp_static/staticdevice": StaticDevice}.items():
        chosen = list(model.objects.filter(user=desk).values_list("pk", flat=True))
        owner_client.post(f"/admin/{address}/", {"action": "delete_selected", "_selected_action": chosen, "post": "yes"})
    assert not TOTPDevice.objects.filter(user=desk).exists() and not StaticDevice.objects.filter(user=desk).exists()

    response = laptop.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert "Your second factor was reset. Sign in again to set up the new one." in page_text(response)
    assert "_auth_user_id" not in laptop.session


def test_the_reset_command_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user called 'nobody'"):
        call_command("reset_second_factor", "nobody")


def test_the_staff_groups_get_no_permission_on_second_factor_devices(client, desk, authenticator):
    for name in (RECEPTION, CLINIC_EDITORS):
        app_labels = set(Group.objects.get(name=name).permissions.values_list("content_type__app_label", flat=True))
        assert not app_labels & {"otp_totp", "otp_static"}, name

    sign_in(client)
    client.post(ENTER_CODE, {"code": code_from_app(authenticator)})
    for url in ("/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/", "/admin/auth/user/"):
        assert client.get(url).status_code == 403, url
