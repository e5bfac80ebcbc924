"""The admin's second-factor pages. The clinic's admin site serves them (clinic_site/admin.py) with its own context."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from . import second_factor
from .forms import AuthenticatorCodeForm, RecoveryCodeForm


def next_page(request):
    """Where the staff member was going, if it is on this site; else the admin's front page."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return reverse("admin:index")


def with_next(view_name, url):
    return f"{reverse(view_name)}?{urlencode({'next': url})}"


@sensitive_post_parameters("code", "recovery_code")
def enter_code(request, admin_context):
    """The second step of signing in: a code from the authenticator app, or one recovery code."""
    user, going_to = request.user, next_page(request)
    if not second_factor.awaits_second_factor(user):
        return redirect(going_to)
    if not second_factor.is_enrolled(user):
        return redirect(with_next("admin:set_up_second_factor", going_to))
    authenticator = second_factor.authenticator(user)
    recovery_codes = second_factor.recovery_codes(user)
    code_form = AuthenticatorCodeForm(authenticator) if authenticator else None
    recovery_form = RecoveryCodeForm(recovery_codes) if recovery_codes else None
    if request.method == "POST":
        if "recovery_code" in request.POST and recovery_codes:
            form = recovery_form = RecoveryCodeForm(recovery_codes, request.POST)
        elif authenticator:
            form = code_form = AuthenticatorCodeForm(authenticator, request.POST)
        else:
            form = None
        if form is not None and form.is_valid():
            second_factor.mark_verified(request, form.device)
            if authenticator is None:  # in with a recovery code, but no app any more: set one up now
                return redirect(with_next("admin:set_up_second_factor", going_to))
            return redirect(going_to)
    return TemplateResponse(request, "staff_access/enter_code.html", {
        **admin_context,
        "title": _("Enter your code"),
        "code_form": code_form,
        "recovery_form": recovery_form,
        "next": going_to,
    })


@sensitive_post_parameters("code")
def set_up(request, admin_context):
    """First sign-in (or after a reset): add the admin to an authenticator app and confirm it with a code."""
    user, going_to = request.user, next_page(request)
    if second_factor.lost_its_second_factor(request):
        # Reset while this session was open (perhaps on the lost phone's laptop): the new app waits for the password.
        logout(request)
        messages.info(request, _("Your second factor was reset. Sign in again to set up the new one."))
        return redirect(with_next("admin:login", going_to))
    if not second_factor.is_required() or second_factor.authenticator(user):
        return redirect(with_next("admin:second_factor", going_to))
    if second_factor.is_enrolled(user) and not second_factor.is_verified(user):
        # Recovery codes left but no app: one of them first, so a password alone never sets up a new app.
        return redirect(with_next("admin:second_factor", going_to))
    device = second_factor.pending_authenticator(request)
    form = AuthenticatorCodeForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        second_factor.confirm_authenticator(request, form.device)
        return redirect(with_next("admin:recovery_codes", going_to))
    return TemplateResponse(request, "staff_access/set_up.html", {
        **admin_context,
        "title": _("Set up your second factor"),
        "form": form,
        "qr_code": second_factor.qr_code(device),
        "secret": second_factor.secret_for_typing(device),
        "next": going_to,
    })


def recovery_codes(request, admin_context):
    """The recovery codes just made, shown once; and a button to make new ones."""
    going_to = next_page(request)
    if not second_factor.is_required():
        return redirect(going_to)
    if request.method == "POST":
        second_factor.show_recovery_codes_once(request, second_factor.make_recovery_codes(request.user))
        return redirect(with_next("admin:recovery_codes", going_to))
    return TemplateResponse(request, "staff_access/recovery_codes.html", {
        **admin_context,
        "title": _("Recovery codes"),
        "codes": second_factor.recovery_codes_to_show(request),
        "codes_left": second_factor.recovery_codes_left(request.user),
        "next": going_to,
    })
