"""Staff's second factor, with django-otp: an authenticator app (TOTP) and ten single-use recovery codes.

A session is "verified" once it has given a code (django_otp.login); the
admin asks for that from every staff user while STAFF_REQUIRE_2FA is on.
"""

import math
from base64 import b32encode
from importlib import import_module

import django_otp
import segno
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
# The authenticator this session is setting up, the recovery codes it has yet
# to show, and whether it has given a code before (see lost_its_second_factor).
PENDING_AUTHENTICATOR = "staff_access_pending_authenticator"
RECOVERY_CODES_TO_SHOW = "staff_access_recovery_codes"
VERIFIED_BEFORE = "staff_access_verified_before"


class WrongCode(Exception):
    pass


class TooManyWrongCodes(Exception):
    """django-otp's back-off: after each wrong code the device waits twice as long before checking another."""

    def __init__(self, locked_until):
        self.locked_until = locked_until

    def message(self):
        seconds = max(1, math.ceil((self.locked_until - timezone.now()).total_seconds()))
        if seconds < 120:
            return ngettext(
                "Too many wrong codes. Try again in %(count)d second.",
                "Too many wrong codes. Try again in %(count)d seconds.",
                seconds,
            ) % {"count": seconds}
        minutes = math.ceil(seconds / 60)
        return ngettext(
            "Too many wrong codes. Try again in %(count)d minute.",
            "Too many wrong codes. Try again in %(count)d minutes.",
            minutes,
        ) % {"count": minutes}


def is_required():
    return settings.STAFF_REQUIRE_2FA


def is_verified(user):
    """Has this session given a code? (OTPMiddleware installs is_verified on request.user.)"""
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def awaits_second_factor(user):
    """A staff member who has given their password but, while the clinic requires one, not yet a code."""
    return is_required() and user.is_active and user.is_staff and not is_verified(user)


def authenticator(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes(user):
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def is_enrolled(user):
    return django_otp.user_has_device(user, confirmed=True)


def check_code(device, code):
    """The device that accepted `code`, or WrongCode / TooManyWrongCodes.

    django_otp.verify_token locks the device's row, so two requests cannot
    both spend one code or both slip past the back-off.
    """
    allowed, details = device.verify_is_allowed()
    if not allowed:
        raise TooManyWrongCodes(details.get("locked_until") or timezone.now())
    verified = django_otp.verify_token(device.user, device.persistent_id, code)
    if verified is None:
        raise WrongCode
    return verified


def mark_verified(request, device):
    """This session has given its second factor: a new session key for the new privilege, then django-otp's mark."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[VERIFIED_BEFORE] = True


def lost_its_second_factor(request):
    """A session that gave a code, whose device has since been deleted (a reset): it signs in again before setting up."""
    return request.session.get(VERIFIED_BEFORE, False) and not is_verified(request.user)


def pending_authenticator(request):
    """The authenticator this session is setting up, made on first sight.

    One secret per session: a secret shown to anyone else who had the password
    (another session) is deleted here, never the one confirmed.
    """
    user = request.user
    device = TOTPDevice.objects.filter(
        pk=request.session.get(PENDING_AUTHENTICATOR), user=user, confirmed=False
    ).first()
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=gettext("Authenticator app"), confirmed=False)
        request.session[PENDING_AUTHENTICATOR] = device.pk
    return device


def qr_code(device):
    """The device's otpauth:// address as a QR code, an SVG data: URI (the CSP allows data: images)."""
    # Dark on white whatever the admin's colour theme, or phones cannot read it.
    return segno.make_qr(device.config_url, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")


def secret_for_typing(device):
    """The secret in base32, in groups of four, for an app that cannot scan."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_authenticator(request, device):
    """The app gave a right code: it counts from now on, this session is verified, and recovery codes are made."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        codes = make_recovery_codes(device.user)
    request.session.pop(PENDING_AUTHENTICATOR, None)
    mark_verified(request, device)
    show_recovery_codes_once(request, codes)


def make_recovery_codes(user):
    """Ten new single-use codes; any earlier ones stop working."""
    with transaction.atomic():
        device = StaticDevice.objects.filter(user=user).first() or StaticDevice.objects.create(
            user=user, name=gettext("Recovery codes")
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def show_recovery_codes_once(request, codes):
    request.session[RECOVERY_CODES_TO_SHOW] = codes


def recovery_codes_to_show(request):
    """The codes just made, the one time they are shown."""
    return request.session.pop(RECOVERY_CODES_TO_SHOW, None)


def recovery_codes_left(user):
    device = recovery_codes(user)
    return device.token_set.count() if device else 0


def reset_second_factor(user):
    """Delete every device the user has and sign them out; they set up a new authenticator at their next sign-in.

    Signing out matters: a session left open on a lost laptop would otherwise
    land on the set-up page and could add an app of its own. The count of devices removed.
    """
    removed = 0
    with transaction.atomic():
        for model in django_otp.device_classes():
            removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    end_sessions(user)
    return removed


def end_sessions(user):
    """Sign the user out of every session kept in the database (the db and cached_db session engines)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return
    theirs = [
        session.session_key
        for session in store.get_model_class().objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    for session_key in theirs:
        store(session_key).delete()
