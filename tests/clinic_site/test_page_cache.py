"""The page cache: anonymous visitors get the public pages from the cache, and staff's edits show at once.

"From the cache" is seen as the database not being asked anything: a page
rendered afresh reads at least the clinic's details.
"""

import logging
import time
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib import messages
from django.core.cache.backends.base import BaseCache
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone
from django.utils.autoreload import file_changed
from django.views.decorators.cache import never_cache

from booking.models import OpeningHours
from clinic.clock import CLINIC_TZ
from clinic_site import page_cache
from clinic_site.urls import urlpatterns as site_urlpatterns
from conditions.models import Condition, Page
from faq.models import Question, QuestionGroup
from privacy.models import PrivacyNotice
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

ACHILLES = "/conditions/achilles-tendinopathy/"
ACHILLES_ES = "/es/padecimientos/tendinopatia-aquilea/"
AFTER_SURGERY = "/conditions/post-surgical-return-to-running/"
KNEE_PAIN = "/knee-pain/"
PUBLIC_PAGES = ["/", "/es/", "/faq/", "/es/preguntas-frecuentes/", ACHILLES, ACHILLES_ES, "/privacy/",
                "/es/privacidad/", "/sitemap.xml"]


@pytest.fixture
def visitor():
    """Someone reading the site with no session: a browser of their own, beside any staff member's."""
    return Client()


def rendered(visitor, path, **headers):
    """Whether the page was rendered for this visit rather than taken from the cache."""
    with CaptureQueriesContext(connection) as queries:
        response = visitor.get(path, **headers)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return len(queries) > 0


def visit_all(visitor, *paths):
    for page in paths:
        visitor.get(page)


def text(visitor, path):
    return page_text(visitor.get(path))


# Saving in the admin as staff do: the form as the page shows it, with some fields typed over.


class AdminForm(HTMLParser):
    """The fields of an admin change form, with the values a browser would send."""

    def __init__(self):
        super().__init__()
        self.fields = {}
        self.in_form = False
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "form" and attributes.get("method") == "post" and attributes.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "name" not in attributes and tag != "option":
            return
        if tag == "input" and attributes.get("type") not in ("submit", "button", "file"):
            ticked = attributes.get("type") in ("checkbox", "radio")
            if ticked and "checked" not in attributes:
                return
            self.fields.setdefault(attributes["name"], []).append(attributes.get("value", "on" if ticked else ""))
        elif tag == "textarea":
            self.textarea = attributes["name"]
            self.fields[self.textarea] = [""]
        elif tag == "select":
            self.select = attributes["name"]
            self.fields.setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in attributes:
            self.fields[self.select].append(attributes.get("value", ""))

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea":
            if self.textarea:
                # The browser drops the newline that follows <textarea>.
                self.fields[self.textarea][0] = self.fields[self.textarea][0].removeprefix("\n")
            self.textarea = None
        elif tag == "select":
            self.select = None


def admin_save(staff, url, **changes):
    """Open the admin form at `url`, type `changes` over it and save, as a member of staff does."""
    page = staff.get(url)
    assert page.status_code == 200, f"{url}: {page.status_code}"
    form = AdminForm()
    form.feed(page.content.decode())
    data = {**form.fields, **changes, "_save": "Save"}
    response = staff.post(url, data)
    assert response.status_code == 302, page_text(response)[:3000]
    return response


# A visit that comes back from the cache.


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_a_second_anonymous_visit_is_served_from_the_cache_without_a_query(
    visitor, clinic_content, django_assert_num_queries, page
):
    first = visitor.get(page)
    with django_assert_num_queries(0):
        second = visitor.get(page)

    assert second.status_code == 200
    assert second.content == first.content


def test_each_language_scheme_and_host_has_its_own_copy(visitor, clinic_content):
    visit_all(visitor, "/", "/es/")

    assert '<html lang="es">' in visitor.get("/es/").content.decode()
    assert '<html lang="en">' in visitor.get("/").content.decode()
    assert '<link rel="canonical" href="http://localhost/">' in visitor.get("/", HTTP_HOST="localhost").content.decode()
    assert '<link rel="canonical" href="https://testserver/">' in visitor.get("/", secure=True).content.decode()
    assert "Sitemap: http://localhost/sitemap.xml" in visitor.get("/robots.txt", HTTP_HOST="localhost").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in visitor.get("/robots.txt").content.decode()


def test_a_head_request_is_served_from_the_cache_too(visitor, clinic_content):
    visitor.head("/")

    with CaptureQueriesContext(connection) as queries:
        response = visitor.head("/")
    assert response.status_code == 200
    assert len(queries) == 0


def test_a_repeat_visit_with_the_pages_etag_is_answered_not_modified(visitor, clinic_content, django_assert_num_queries):
    etag = visitor.get("/")["ETag"]

    with django_assert_num_queries(0):
        repeat = visitor.get("/", HTTP_IF_NONE_MATCH=etag)
    assert repeat.status_code == 304
    assert repeat.content == b""
    assert repeat["ETag"] == etag
    assert repeat["Vary"] == "Accept-Language"
    assert visitor.get("/", HTTP_IF_NONE_MATCH='"an-older-version"').status_code == 200


def test_an_edited_page_no_longer_matches_the_etag_its_visitors_hold(visitor, admin_client, clinic_content):
    etag = visitor.get("/")["ETag"]

    admin_save(admin_client, "/admin/clinic/clinic/1/change/", phone="+52 664 555 0199")

    fresh = visitor.get("/", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert "Call +52 664 555 0199" in page_text(fresh)


def test_a_cached_page_carries_the_same_headers_as_a_fresh_one(visitor, clinic_content):
    fresh, cached = visitor.get("/faq/"), visitor.get("/faq/")

    def headers(response):
        return {name: value for name, value in response.items() if name != "X-Request-ID"}

    assert headers(cached) == headers(fresh)
    assert cached["Content-Security-Policy"].startswith("default-src 'self'")
    assert cached["Vary"] == "Accept-Language"
    assert cached["Content-Language"] == "en"


# Staff edit; the pages that show the edit show it on the next request, and only those are rendered again.


def test_new_clinic_details_show_on_every_page_at_once(visitor, admin_client, clinic_content):
    visit_all(visitor, *PUBLIC_PAGES)

    admin_save(admin_client, "/admin/clinic/clinic/1/change/", phone="+52 664 555 0199")

    for page in ["/", "/es/", "/faq/", ACHILLES, "/privacy/"]:
        assert "+52 664 555 0199" in text(visitor, page), page
    assert not rendered(visitor, "/sitemap.xml")  # shows nothing of the clinic's details
    assert "Call +52 664 555 0199" in text(admin_client, "/")  # and the staff member sees it too


def test_new_opening_hours_show_in_every_footer_at_once(visitor, admin_client, clinic_content, booking_rules):
    visit_all(visitor, "/", "/es/", "/faq/", ACHILLES, "/sitemap.xml")
    monday = OpeningHours.objects.get(weekday=OpeningHours.Weekday.MONDAY)

    admin_save(admin_client, f"/admin/booking/openinghours/{monday.pk}/change/", opens="09:30:00")

    for page in ["/", "/faq/", ACHILLES]:
        assert "Monday 9:30 am–8:00 pm" in text(visitor, page), page
    assert "9:30–20:00 h" in text(visitor, "/es/")
    assert not rendered(visitor, "/sitemap.xml")


def test_a_closure_leaves_the_cached_pages_as_they_are(visitor, admin_client, clinic_content, booking_rules):
    visit_all(visitor, "/", "/faq/")

    admin_save(admin_client, "/admin/booking/closure/add/", first_day="2027-01-01", last_day="2027-01-02",
               reason="New year")

    # No public page shows closures (only the booking form, never cached, leaves their days out).
    assert not rendered(visitor, "/")
    assert not rendered(visitor, "/faq/")


def test_booking_settings_leave_every_page_but_the_sitemap_cached(visitor, admin_client, clinic_content, booking_rules):
    visit_all(visitor, "/", "/faq/", "/sitemap.xml")

    admin_save(admin_client, f"/admin/booking/bookingsettings/{booking_rules.pk}/change/", horizon_days="21")

    assert rendered(visitor, "/sitemap.xml")  # its date for /book/ is the settings'
    assert not rendered(visitor, "/")
    assert not rendered(visitor, "/faq/")


def test_an_edited_practitioner_shows_on_the_pages_and_in_the_sitemap_at_once(visitor, clinic_content):
    from team.models import Practitioner

    visit_all(visitor, "/", "/team/", "/sitemap.xml")

    Practitioner.objects.first().save()  # as the admin's save does: signals, then the sitemap's team date

    assert rendered(visitor, "/team/") and rendered(visitor, "/sitemap.xml")


def test_a_new_privacy_notice_shows_on_its_pages_and_nowhere_else_changes(visitor, admin_client, clinic_content):
    visit_all(visitor, "/", "/privacy/", "/es/privacidad/", "/sitemap.xml", "/faq/")
    notice = PrivacyNotice.current()

    admin_save(admin_client, f"/admin/privacy/privacynotice/{notice.pk}/change/",
               body_en="We now also keep your running plan.")

    assert "We now also keep your running plan." in text(visitor, "/privacy/")
    assert f"Version {notice.version + 1}" in text(visitor, "/privacy/")
    assert rendered(visitor, "/es/privacidad/")
    assert rendered(visitor, "/sitemap.xml")
    assert not rendered(visitor, "/")
    assert not rendered(visitor, "/faq/")


def test_a_scheduled_notice_shows_once_its_time_comes_with_nothing_saved(visitor, clinic_content):
    current = PrivacyNotice.current()
    publish_at = timezone.now() + timedelta(seconds=2.5)
    PrivacyNotice.objects.create(version=current.version + 1, title="From the new year", body="New terms.",
                                 published_at=publish_at)
    assert "From the new year" not in text(visitor, "/privacy/")
    assert not rendered(visitor, "/privacy/")

    time.sleep((publish_at - timezone.now()).total_seconds() + 0.1)

    assert "From the new year" in text(visitor, "/privacy/")


def test_correcting_a_scheduled_notice_forgets_the_notice_pages(visitor, admin_client, clinic_content):
    tomorrow = timezone.now().astimezone(CLINIC_TZ) + timedelta(days=1)
    current = PrivacyNotice.current()
    admin_save(admin_client, f"/admin/privacy/privacynotice/{current.pk}/change/", body_en="Next year's terms.",
               published_at_0=tomorrow.strftime("%Y-%m-%d"), published_at_1="09:00:00")
    scheduled = PrivacyNotice.objects.latest()
    visit_all(visitor, "/privacy/", "/")
    assert not rendered(visitor, "/privacy/")

    # A version nobody has seen yet is corrected in place, by an update that sends no signal.
    sooner = tomorrow - timedelta(hours=12)
    admin_save(admin_client, f"/admin/privacy/privacynotice/{scheduled.pk}/change/",
               published_at_0=sooner.strftime("%Y-%m-%d"), published_at_1=sooner.strftime("%H:%M:%S"))

    assert PrivacyNotice.objects.count() == current.version + 1  # corrected, not a version of its own
    assert rendered(visitor, "/privacy/")
    assert not rendered(visitor, "/")


def test_an_edited_question_shows_where_it_is_asked_and_nowhere_else(visitor, editor_client, clinic_content):
    visit_all(visitor, "/", "/faq/", "/es/preguntas-frecuentes/", AFTER_SURGERY, ACHILLES, "/privacy/")
    acl = Question.objects.get(slug="ready-to-run-after-acl-reconstruction")  # on the post-surgical page only
    answer = "Usually between nine and twelve months, once strength and hop tests say so."

    admin_save(editor_client, f"/admin/faq/question/{acl.pk}/change/", answer_en=answer)

    assert answer in text(visitor, "/faq/")
    assert answer in text(visitor, "/")  # it is one of the home page's questions
    assert answer in text(visitor, AFTER_SURGERY)
    assert rendered(visitor, "/es/preguntas-frecuentes/")
    assert not rendered(visitor, ACHILLES)
    assert not rendered(visitor, "/privacy/")


def test_a_question_given_to_a_condition_shows_on_that_conditions_page(visitor, editor_client, clinic_content):
    visit_all(visitor, AFTER_SURGERY, ACHILLES)
    acl = Question.objects.get(slug="ready-to-run-after-acl-reconstruction")
    achilles = Condition.objects.get(slug="achilles-tendinopathy")

    admin_save(editor_client, f"/admin/faq/question/{acl.pk}/change/", conditions=[achilles.pk])

    assert "after ACL reconstruction" in text(visitor, ACHILLES)
    assert "after ACL reconstruction" not in text(visitor, AFTER_SURGERY)


def test_a_renamed_question_group_shows_on_the_faq_only(visitor, editor_client, clinic_content):
    visit_all(visitor, "/", "/faq/")
    group = QuestionGroup.objects.get(slug="during-rehabilitation")

    admin_save(editor_client, f"/admin/faq/questiongroup/{group.pk}/change/", name_en="While you rehabilitate")

    assert "While you rehabilitate" in text(visitor, "/faq/")
    assert not rendered(visitor, "/")


def test_an_edited_condition_shows_on_its_pages_the_home_page_and_the_sitemap_only(
    visitor, editor_client, clinic_content
):
    visit_all(visitor, "/", "/es/", ACHILLES, ACHILLES_ES, AFTER_SURGERY, "/faq/", "/sitemap.xml")
    achilles = Condition.objects.get(slug="achilles-tendinopathy")

    admin_save(editor_client, f"/admin/conditions/condition/{achilles.pk}/change/",
               summary_en="Achilles pain in runners, loaded back to strength.", summary_es="Dolor de Aquiles, con carga.")

    assert "Achilles pain in runners, loaded back to strength." in text(visitor, "/")
    assert "Achilles pain in runners, loaded back to strength." in text(visitor, ACHILLES)
    assert "Dolor de Aquiles, con carga." in text(visitor, ACHILLES_ES)
    assert "Dolor de Aquiles, con carga." in text(visitor, "/es/")
    assert rendered(visitor, "/sitemap.xml")
    assert not rendered(visitor, AFTER_SURGERY)
    assert not rendered(visitor, "/faq/")


def test_a_condition_given_a_new_address_is_not_served_at_its_old_one(visitor, editor_client, clinic_content):
    visit_all(visitor, ACHILLES, ACHILLES)
    achilles = Condition.objects.get(slug="achilles-tendinopathy")

    admin_save(editor_client, f"/admin/conditions/condition/{achilles.pk}/change/", slug="achilles")

    assert visitor.get(ACHILLES).status_code == 404
    assert "/conditions/achilles/" in visitor.get("/").content.decode()


def test_an_unpublished_condition_leaves_the_home_page_and_its_address(visitor, editor_client, clinic_content):
    visit_all(visitor, "/", ACHILLES)
    achilles = Condition.objects.get(slug="achilles-tendinopathy")

    admin_save(editor_client, f"/admin/conditions/condition/{achilles.pk}/change/", is_published=[])

    assert "Achilles tendinopathy" not in text(visitor, "/")
    assert visitor.get(ACHILLES).status_code == 404


def test_a_published_page_shows_at_its_address_and_on_the_home_page_only(visitor, editor_client, clinic_content):
    visit_all(visitor, KNEE_PAIN, "/", "/faq/", ACHILLES, "/sitemap.xml")
    knee_pain = Page.objects.get(slug="knee-pain")  # a related page of the home page, not yet published

    admin_save(editor_client, f"/admin/conditions/page/{knee_pain.pk}/change/", is_published="on",
               body_en="What to do about knee pain.")

    assert "What to do about knee pain." in text(visitor, KNEE_PAIN)
    assert '<a href="/knee-pain/">Knee Pain</a>' in visitor.get("/").content.decode()
    assert "/knee-pain/" in visitor.get("/sitemap.xml").content.decode()
    assert not rendered(visitor, "/faq/")
    assert not rendered(visitor, ACHILLES)


def test_a_page_linked_after_an_answer_shows_wherever_that_answer_does(visitor, editor_client, clinic_content):
    visit_all(visitor, "/faq/", ACHILLES, "/privacy/")
    training = Page.objects.get(slug="can-you-keep-training-while-injured")  # "Read more" after one answer

    admin_save(editor_client, f"/admin/conditions/page/{training.pk}/change/", is_published="on", body_en="Often.")

    assert "Read more: Can You Keep Training While Injured?" in text(visitor, "/faq/")
    assert "Read more: Can You Keep Training While Injured?" in text(visitor, ACHILLES)
    assert not rendered(visitor, "/privacy/")


def test_an_edited_stage_shows_on_the_home_page_only(visitor, editor_client, clinic_content):
    visit_all(visitor, "/", "/faq/", ACHILLES)
    stage = clinic_content.stages.get(title="Tissue readiness")
    form = AdminForm()
    form.feed(editor_client.get(f"/admin/conditions/servicepage/{clinic_content.pk}/change/").content.decode())
    prefix = next(name for name, values in form.fields.items() if name.endswith("-id") and values == [str(stage.pk)])

    admin_save(editor_client, f"/admin/conditions/servicepage/{clinic_content.pk}/change/",
               **{prefix.replace("-id", "-title_en"): "Is the tissue ready?"})

    assert "Is the tissue ready?" in text(visitor, "/")
    assert not rendered(visitor, "/faq/")
    assert not rendered(visitor, ACHILLES)


def test_a_deploy_forgets_every_page(visitor, clinic_content):
    visit_all(visitor, "/", "/faq/")

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # every deploy migrates

    assert rendered(visitor, "/")
    assert rendered(visitor, "/faq/")


def test_the_next_version_of_the_site_never_serves_this_ones_pages(visitor, clinic_content, monkeypatch):
    visit_all(visitor, "/", "/")

    # Two app hosts share the cache while a deploy reaches one, then the other.
    monkeypatch.setattr(page_cache, "code_version", lambda: "the next version")

    assert rendered(visitor, "/")
    assert not rendered(visitor, "/")


def test_a_template_edited_under_runserver_shows_on_the_next_request(visitor, clinic_content):
    visit_all(visitor, "/", "/")

    file_changed.send(sender=None, file_path=Path(django_settings.BASE_DIR) / "templates" / "base.html")

    assert rendered(visitor, "/")


# What never comes from the cache, and never goes into it.


@pytest.mark.parametrize("cookie", [django_settings.SESSION_COOKIE_NAME, "messages"])
def test_a_visitor_with_a_session_or_messages_never_gets_or_leaves_a_cached_page(visitor, clinic_content, cookie):
    visitor.get("/")  # an anonymous visit puts the page in the cache
    someone = Client()
    someone.cookies[cookie] = "something"

    assert rendered(someone, "/")
    assert rendered(someone, "/faq/")
    assert rendered(visitor, "/faq/")  # what they were shown was not stored


def test_staff_always_get_a_fresh_page(admin_client, visitor, clinic_content):
    visitor.get("/")

    assert rendered(admin_client, "/")
    assert rendered(admin_client, "/")


@pytest.mark.parametrize("page", ["/book/", "/es/reservar/", "/privacy/request/", "/admin/login/", "/healthz"])
def test_booking_private_and_staff_pages_are_never_cached(visitor, clinic_content, booking_rules, page):
    first = visitor.get(page)
    second = visitor.get(page)

    assert "ETag" not in first and "ETag" not in second


def test_the_booking_page_is_rendered_for_every_visit(visitor, clinic_content, booking_rules):
    visitor.get("/book/")

    assert rendered(visitor, "/book/")
    assert rendered(visitor, "/es/reservar/")


def test_an_address_with_a_query_string_is_rendered_every_time(visitor, clinic_content):
    visitor.get("/?utm_source=newsletter")

    assert rendered(visitor, "/?utm_source=newsletter")
    assert "ETag" not in visitor.get("/?utm_source=newsletter")


calls = []


def plain(request):
    calls.append(request.path)
    return HttpResponse("The same for everyone.")


def with_form_token(request):
    calls.append(request.path)
    return HttpResponse(f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">')


def with_cookie(request):
    calls.append(request.path)
    response = HttpResponse("Yours.")
    response.set_cookie("seen_offer", "1")
    return response


def with_message(request):
    calls.append(request.path)
    messages.info(request, "Saved.")
    return HttpResponse("Saved.")


@never_cache
def marked_never_cache(request):
    calls.append(request.path)
    return HttpResponse("Fresh.")


def not_found(request):
    calls.append(request.path)
    return HttpResponse("Gone.", status=404)


# Routes with the name of a cached page (robots.txt's), each answering in a way that must not be stored,
# before the site's own (the middleware reverses the admin's).
urlpatterns = [
    path("plain/", plain, name="robots_txt"),
    path("form/", with_form_token, name="robots_txt"),
    path("cookie/", with_cookie, name="robots_txt"),
    path("message/", with_message, name="robots_txt"),
    path("never/", marked_never_cache, name="robots_txt"),
    path("gone/", not_found, name="robots_txt"),
    *site_urlpatterns,
]


@pytest.mark.parametrize("page", ["/form/", "/cookie/", "/message/", "/never/", "/gone/"])
def test_a_page_with_a_form_token_a_cookie_or_a_message_is_never_stored(visitor, settings, page):
    settings.ROOT_URLCONF = __name__
    calls.clear()

    visitor.get("/plain/")
    visitor.get("/plain/")
    Client().get(page)
    Client().get(page)

    assert calls == ["/plain/", page, page]


# A cache that is down.


class UnreachableCache(BaseCache):
    """A cache whose server does not answer."""

    def __init__(self, location, params):
        super().__init__(params)

    def _unreachable(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    add = get = set = touch = delete = clear = incr = has_key = _unreachable
    get_many = set_many = delete_many = _unreachable


def test_a_cache_that_is_down_never_breaks_a_page(visitor, clinic_content, settings, caplog):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.UnreachableCache"}}

    with caplog.at_level(logging.WARNING, logger="clinic_site.page_cache"):
        for page in ["/", "/faq/", ACHILLES, "/privacy/", "/sitemap.xml", "/robots.txt"]:
            assert visitor.get(page).status_code == 200, page

    assert "Return to Running" in text(visitor, "/")
    assert "The page cache could not be read" in caplog.text


def test_a_cache_that_is_down_never_stops_staff_saving(visitor, admin_client, clinic_content, settings, caplog):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.UnreachableCache"}}

    with caplog.at_level(logging.WARNING, logger="clinic_site.page_cache"):
        admin_save(admin_client, "/admin/clinic/clinic/1/change/", phone="+52 664 555 0199")

    assert "Call +52 664 555 0199" in text(visitor, "/")
    assert "The page cache could not forget" in caplog.text
