"""What a patient does in the browser: the booking steps, and a walk past every page and state.

Each step finds things the way a person does, by their visible names, and
returns the response of the page it lands on.

Names are looked up in the catalogue, so the same steps work on the Spanish
pages inside `translation.override("es")`.
"""

import re

from django.utils.translation import gettext as _

from conditions.models import Condition

A_TIME = re.compile(r"^\d{1,2}:\d\d( [ap]\.?m\.?| h)?$")  # "9:00 am", or "09:00 h" in Spanish


def follow(page, action):
    """Does action (a click) and returns the response of the page it leads to, after any redirect."""
    with page.expect_navigation() as navigation:
        action()
    return navigation.value


def press(page, button_name):
    return follow(page, page.get_by_role("button", name=button_name, exact=True).click)


def choose_the_last_day(page):
    """Follows the last open day in the calendar of weeks (a link like "Tuesday, October 14, 6 open times"):
    weeks away, so it can be moved or cancelled online."""
    return follow(page, page.get_by_role("table").last.get_by_role("link").last.click)


def choose_the_first_time(page):
    """Taps the first time tile (a radio named by its time, like "09:00"), then Continue."""
    page.get_by_role("radio", name=A_TIME).first.check()
    return press(page, _("Continue"))


def give_details(page):
    details = {_("Full name"): "Ana López", _("Mobile phone"): "664 123 4567", _("Email"): "ana@example.com"}
    for label, value in details.items():
        page.get_by_label(label, exact=True).fill(value)
    return press(page, _("Continue"))


def choose_a_reason(page, reason="Knee"):
    """Says where it hurts in the patient's own words (a radio like "Knee"), with a note."""
    page.get_by_label(_(reason), exact=True).check()
    page.get_by_label(_("Anything you would like us to know (optional)"), exact=True).fill("Left knee, since March.")
    return press(page, _("Continue"))


def consent_and_book(page, button="Book assessment"):
    """Ticks the consent and books; in review mode the button is "Send request"."""
    consent = _(
        "I agree to the clinic processing my health information to assess and treat me, as set out in the privacy notice."
    )
    page.get_by_label(consent, exact=True).check()
    return press(page, _(button))


def spanish_pages():
    """The Spanish pages, by their Spanish addresses."""
    from django.urls import reverse
    from django.utils import translation

    with translation.override("es"):
        pages = [("es-home", reverse("conditions:home")), ("es-faq", reverse("faq:index")),
                 ("es-book-days", reverse("booking:start")), ("es-privacy", reverse("privacy:notice"))]
        pages += [(f"es-condition-{c.slug}", c.get_absolute_url()) for c in Condition.objects.published()[:2]]
    return pages


def walk_past_every_page(page, site, look):
    """Visits every public page and every state of the booking flow, calling look(name, response) at each.

    The booking states include each step's error state (a step sent empty),
    then a real booking that is cancelled at the end.
    """

    def at(name, response, status=200):
        assert response is not None and response.status == status, f"{name}: {response and response.status} at {page.url}"
        look(name, response)

    at("home", page.goto(site + "/"))
    for slug in Condition.objects.published().values_list("slug", flat=True):
        at(f"condition-{slug}", page.goto(f"{site}/conditions/{slug}/"))
    at("faq", page.goto(site + "/faq/"))
    at("privacy", page.goto(site + "/privacy/"))
    at("privacy-version", page.goto(site + "/privacy/v1/"))
    at("data-request", page.goto(site + "/privacy/request/"))
    at("data-request-error", press(page, "Send request"), status=400)
    at("not-found", page.goto(site + "/no-such-page/"), status=404)
    for name, path in spanish_pages():
        at(name, page.goto(site + path))

    at("book-days", page.goto(site + "/book/"))
    at("book-times", choose_the_last_day(page))
    at("book-times-error", press(page, "Continue"), status=400)
    at("book-details", choose_the_first_time(page))
    at("book-details-error", press(page, "Continue"), status=400)
    at("book-reason", give_details(page))
    at("book-reason-error", press(page, "Continue"), status=400)
    at("book-check", choose_a_reason(page))
    at("book-check-error", press(page, "Book assessment"), status=400)
    at("book-confirmation", consent_and_book(page))
    at("manage", follow(page, page.get_by_role("link", name="Change or cancel your booking").click))
    at("cancel", follow(page, page.get_by_role("link", name="Cancel this booking").click))
    at("manage-cancelled", press(page, "Yes, cancel my assessment"))
