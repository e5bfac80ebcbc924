"""The public pages, served from the cache to visitors without a session, and what makes the cache forget them.

A page is stored under its address (method, scheme, host, path, language) and
the version of the code that rendered it, together with the stamps of what it
shows: the release's, the whole site's
(the clinic's details and opening hours, in every header and footer) and its
own ("home", "condition:<slug>", "faq" …). Saving or deleting content deletes
the stamps of the pages that show it; a stored page whose stamps are no longer
all there, as they were when it was rendered, is rendered again. Pages and
stamps both live in the shared cache, so an edit on one app host is seen by
every other at once, and a cached page costs no database query.
"""

import functools
import hashlib
import logging
import uuid
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe, quote_etag

logger = logging.getLogger(__name__)

# Stamps. RELEASE is on every page, so migrate (every deploy runs it) forgets them all.
RELEASE = "release"
SITE = "site"
HOME = "home"
FAQ = "faq"
PRIVACY = "privacy"
SITEMAP = "sitemap"


def condition_stamp(slug):
    return f"condition:{slug}"


def page_stamp(slug):
    return f"page:{slug}"


# The pages that may be cached, by route name, and the stamps each one carries
# besides RELEASE. Every other route (the booking flow, the data request form,
# the admin, the language switch, health checks) is never cached.
PAGES = {
    "conditions:home": lambda kwargs: (SITE, HOME),
    "conditions:condition": lambda kwargs: (SITE, condition_stamp(kwargs["slug"])),
    "conditions:page": lambda kwargs: (SITE, page_stamp(kwargs["slug"])),
    "faq:index": lambda kwargs: (SITE, FAQ),
    "team:index": lambda kwargs: (SITE,),
    "privacy:notice": lambda kwargs: (SITE, PRIVACY),
    "privacy:notice_version": lambda kwargs: (SITE, PRIVACY),
    "django.contrib.sitemaps.views.sitemap": lambda kwargs: (SITEMAP,),
    "robots_txt": lambda kwargs: (),
}

# A scheduled privacy notice becomes the current one when its time comes, with
# nothing saved: pages that show which notice is current are kept no longer.
SHOW_THE_CURRENT_NOTICE = {PRIVACY, SITEMAP}

# Vary headers whose request headers cannot change a public page: its language
# comes from its path alone, and it reads no cookie.
HARMLESS_VARY = {"accept-language", "cookie"}

ENTRY_PREFIX = "page-cache:"
STAMP_PREFIX = "page-cache-stamp:"


@functools.lru_cache(maxsize=1024)
def page_for_path(path_info):
    """(language, stamps) for a path the cache may serve, or None. The URLs never change while running."""
    language = translation.get_language_from_path(path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            match = resolve(path_info)
        except Resolver404:
            return None
    stamps = PAGES.get(match.view_name)
    if stamps is None:
        return None
    return language, (RELEASE, *stamps(match.kwargs))


def may_be_served_from_cache(request):
    """Whether this is a visitor who gets the page every visitor without a session gets."""
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def entry_key(request, language):
    # Canonical links and structured data carry the scheme and host, so each gets its own copy.
    address = f"{code_version()} {request.method} {language} {request.scheme}://{request.get_host()}{request.path}"
    return ENTRY_PREFIX + hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()


@functools.cache
def code_version():
    """A digest of the code, templates and translations this process renders with, and its static files' names.

    While a deploy reaches one app host after the other, the old code and the
    new one share the cache without ever serving each other's pages.
    """
    base = Path(settings.BASE_DIR)
    folders = [Path(config.path) for config in apps.get_app_configs() if _is_ours(Path(config.path), base)]
    folders += [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    folders += [Path(folder) for folder in settings.LOCALE_PATHS]
    files = {path for folder in folders for path in folder.rglob("*")
             if path.suffix in {".py", ".html", ".txt", ".mo"} and "__pycache__" not in path.parts}
    files.add(Path(settings.STATIC_ROOT) / "staticfiles.json")  # the hashed names {% static %} writes
    digest = hashlib.md5(usedforsecurity=False)
    for path in sorted(files):
        if path.is_file():
            digest.update(str(path).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _is_ours(folder, base):
    return folder.is_relative_to(base) and not folder.relative_to(base).parts[0].startswith(".")  # not .venv


def stamp_key(name):
    return STAMP_PREFIX + name


class PageCacheMiddleware:
    """Serves the public pages from the cache; stores those every anonymous visitor would get.

    It sits before SessionMiddleware, so a stored page is the response as
    every later middleware left it (Vary, Content-Language, X-Frame-Options),
    the session's and the messages' cookies included, and a page served from
    the cache skips them all. SecurityMiddleware and the Content-Security-Policy
    are added again to each response, stored or not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        page = page_for_path(request.path_info) if seconds and may_be_served_from_cache(request) else None
        if page is None:
            return self.get_response(request)
        language, stamp_names = page
        try:
            key = entry_key(request, language)
        except DisallowedHost:
            return self.get_response(request)  # Django answers it with its 400, as for any page
        stamp_keys = [stamp_key(name) for name in stamp_names]
        try:
            found = cache.get_many([key, *stamp_keys])
        except Exception:  # noqa: BLE001 - a cache that is down must never break a page
            logger.warning("The page cache could not be read; %s is rendered without it", request.path, exc_info=True)
            return self.get_response(request)
        stamps = tuple(found.get(stamp) for stamp in stamp_keys)
        entry = found.get(key)
        if entry is not None and None not in stamps and entry[0] == stamps:
            return self.revalidated(request, cached_response(entry))

        # Read before rendering: a notice that becomes current meanwhile must not be stored for long.
        deadline = next_notice_time() if SHOW_THE_CURRENT_NOTICE.intersection(stamp_names) else None
        response = self.get_response(request)
        if may_be_stored(request, response):
            response.headers["ETag"] = quote_etag(hashlib.md5(response.content, usedforsecurity=False).hexdigest())
            store(key, stamp_keys, stamps, response, seconds, deadline)
            return self.revalidated(request, response)
        return response

    def revalidated(self, request, response):
        """Not Modified when the visitor already holds this page."""
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(request, etag=response["ETag"], last_modified=last_modified, response=response)


def cached_response(entry):
    _stamps, headers, content = entry
    return HttpResponse(content, headers=headers)


def may_be_stored(request, response):
    """Whether `response` is the page any visitor without a session would get, and nothing of this visitor's."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_USED"):
        return False  # the page holds a form token: this visitor's alone
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False  # SessionMiddleware is about to give this visitor a cookie
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-cache", "no-store")):
        return False
    vary = {header.strip().lower() for header in response.get("Vary", "").split(",") if header.strip()}
    return not vary - HARMLESS_VARY  # "*" or a header this cache does not key on


def store(key, stamp_keys, stamps, response, seconds, deadline):
    if deadline is not None:
        seconds = min(seconds, int((deadline - timezone.now()).total_seconds()))
        if seconds <= 0:
            return
    try:
        stamps = list(stamps)
        for position, (stamp, value) in enumerate(zip(stamp_keys, stamps)):
            if value is None:
                value = uuid.uuid4().hex
                if not cache.add(stamp, value, timeout=None):
                    return  # an edit (or another page) stamped it meanwhile: this render may be older
                stamps[position] = value
        cache.set(key, (tuple(stamps), list(response.items()), response.content), timeout=seconds)
    except Exception:  # noqa: BLE001 - the page is rendered; the cache can have it next time
        logger.warning("The page cache could not store a page", exc_info=True)


def next_notice_time():
    """When the next scheduled privacy notice is published, or None."""
    from privacy.models import PrivacyNotice

    return (
        PrivacyNotice.objects.filter(published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


# Forgetting pages.


def forget(*names, using="default"):
    """Forget every cached page stamped with one of `names`, now and again once the transaction commits.

    Now, so the editor's next request sees the edit; again after the commit,
    because a visitor's request may have rendered the old rows between the two.
    """
    keys = [stamp_key(name) for name in dict.fromkeys(names)]
    if not keys:
        return
    _delete_stamps(keys)
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(lambda: _delete_stamps(keys), using=using)


def forget_every_page():
    forget(RELEASE)


def _delete_stamps(keys):
    try:
        cache.delete_many(keys)
    except Exception:  # noqa: BLE001 - a cache that is down must not stop staff saving
        logger.warning(
            "The page cache could not forget %s: those pages may show the old content for up to %s seconds",
            ", ".join(keys), settings.PAGE_CACHE_SECONDS, exc_info=True,
        )


def _slug_stamps(stamp, *rows):
    return {stamp(slug) for row in rows if row for slug in (row["slug"], row["slug_es"]) if slug}


def _row_before_save(sender, instance, **kwargs):
    """The slugs and published state as stored, before this save changes them."""
    instance._page_cache_before = (
        sender._base_manager.using(kwargs.get("using") or "default")
        .filter(pk=instance.pk)
        .values("slug", "slug_es", "is_published")
        .first()
        if instance.pk is not None
        else None
    )


def _row_now(instance):
    return {"slug": instance.slug, "slug_es": instance.slug_es, "is_published": instance.is_published}


def _was_or_is_published(before, now):
    return bool(now["is_published"] or (before and before["is_published"]))


def _condition_rows(queryset):
    return list(queryset.values("slug", "slug_es"))


def condition_changed(sender, instance, using="default", **kwargs):
    before, now = getattr(instance, "_page_cache_before", None), _row_now(instance)
    names = _slug_stamps(condition_stamp, before, now)
    if _was_or_is_published(before, now):
        names |= {HOME, SITEMAP}  # the home page's cards and the sitemap list published conditions
    forget(*names, using=using)


def pages_linking_to(page):
    """The stamps of the pages that link to `page`: the home page's related pages, and "Read more" after answers."""
    from conditions.models import Condition
    from faq.models import Question

    names = set()
    questions = Question.objects.published().filter(read_more=page)
    if questions.exists():
        names.add(FAQ)
    if page.service_pages.exists() or questions.filter(featured_on__isnull=False).exists():
        names.add(HOME)
    names |= _slug_stamps(condition_stamp, *_condition_rows(Condition.objects.filter(questions__in=questions).distinct()))
    return names


def page_changed(sender, instance, using="default", **kwargs):
    before, now = getattr(instance, "_page_cache_before", None), _row_now(instance)
    names = _slug_stamps(page_stamp, before, now)
    if _was_or_is_published(before, now):
        names |= {SITEMAP, *pages_linking_to(instance)}
    forget(*names, using=using)


def page_deleted(sender, instance, using="default", **kwargs):
    # Before the delete: it empties the answers' "Read more" without saving them.
    forget(*_slug_stamps(page_stamp, _row_now(instance)), SITEMAP, *pages_linking_to(instance), using=using)


def question_changed(sender, instance, using="default", **kwargs):
    from faq.models import FeaturedQuestion

    names = {FAQ, SITEMAP}  # the sitemap's date for /faq/ is the newest question's
    if FeaturedQuestion.objects.filter(question=instance).exists():
        names.add(HOME)
    names |= _slug_stamps(condition_stamp, *_condition_rows(instance.conditions.all()))
    forget(*names, using=using)


def question_conditions_changed(sender, instance, action, reverse, pk_set, using="default", **kwargs):
    from conditions.models import Condition

    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # a condition's questions changed: only its own page shows them
        rows = [_row_now(instance)]
    elif pk_set is None:
        rows = _condition_rows(instance.conditions.all())
    else:
        rows = _condition_rows(Condition.objects.filter(pk__in=pk_set))
    forget(*_slug_stamps(condition_stamp, *rows), using=using)


def related_pages_changed(sender, action, using="default", **kwargs):
    if action in ("post_add", "post_remove", "pre_clear"):
        forget(HOME, using=using)


def forgetting(*names):
    """A receiver that forgets the pages stamped with `names`."""

    def receiver(sender, using="default", **kwargs):
        forget(*names, using=using)

    return receiver


def admin_logged(sender, instance, created, using="default", **kwargs):
    """A privacy notice corrected in the admin: the correction is an update(), which sends no signal."""
    from django.contrib.contenttypes.models import ContentType

    from privacy.models import PrivacyNotice

    if created and instance.content_type_id == ContentType.objects.get_for_model(PrivacyNotice).pk:
        forget(PRIVACY, SITEMAP, using=using)


def deployed(sender, **kwargs):
    """After migrate, as every deploy runs it: a data migration may change what pages show without a signal."""
    forget_every_page()


def source_changed(sender, file_path, **kwargs):
    """runserver saw a file change: a template edited in development shows on the next request."""
    forget_every_page()


def connect_receivers():
    """Connect what forgets pages to the content each page shows. Called once, from ClinicSiteConfig.ready()."""
    from django.contrib.admin.models import LogEntry
    from django.core.signals import setting_changed
    from django.db.models.signals import (
        m2m_changed,
        post_delete,
        post_save,
        pre_delete,
        pre_save,
    )
    from django.utils.autoreload import file_changed

    from booking.models import BookingSettings, OpeningHours
    from clinic.models import Clinic, Picture
    from conditions.models import (
        Condition,
        Page,
        PatientKind,
        PatientStory,
        ServicePage,
        Stage,
    )
    from faq.models import FeaturedQuestion, Question, QuestionGroup
    from privacy.models import PrivacyNotice
    from team.models import Practitioner

    def on_save_and_delete(model, receiver, name):
        # Held strongly: the receivers made by forgetting() have no other reference.
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"page_cache_{name}_saved")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"page_cache_{name}_deleted")

    # In every header and footer (clinic.context_processors, booking.context_processors).
    site = forgetting(SITE)
    on_save_and_delete(Clinic, site, "clinic")
    on_save_and_delete(OpeningHours, site, "opening_hours")
    # Practitioners are on the home page, the team page and the condition pages they reviewed; pictures
    # and patient stories on the home page and condition pages: each shows on enough pages to forget them all.
    on_save_and_delete(Practitioner, forgetting(SITE, SITEMAP), "practitioner")  # the team page's date too
    on_save_and_delete(Picture, site, "picture")
    on_save_and_delete(PatientStory, site, "patient_story")
    # The home page. Its date in the sitemap is the service page's.
    on_save_and_delete(ServicePage, forgetting(HOME, SITEMAP), "service_page")
    home = forgetting(HOME)
    on_save_and_delete(Stage, home, "stage")
    on_save_and_delete(PatientKind, home, "patient_kind")
    on_save_and_delete(FeaturedQuestion, home, "featured_question")
    m2m_changed.connect(related_pages_changed, sender=ServicePage.related_pages.through,
                        dispatch_uid="page_cache_related_pages")
    # Conditions and pages: their own page in both languages, under old and new slugs, and the pages listing them.
    for model, name, changed in ((Condition, "condition", condition_changed), (Page, "page", page_changed)):
        pre_save.connect(_row_before_save, sender=model, dispatch_uid=f"page_cache_{name}_before")
        post_save.connect(changed, sender=model, dispatch_uid=f"page_cache_{name}_saved")
    post_delete.connect(condition_changed, sender=Condition, dispatch_uid="page_cache_condition_deleted")
    pre_delete.connect(page_deleted, sender=Page, dispatch_uid="page_cache_page_deleted")
    # Questions: /faq/, the home page if featured there, and the pages of their conditions.
    post_save.connect(question_changed, sender=Question, dispatch_uid="page_cache_question_saved")
    # Before the delete, while the question still knows its conditions.
    pre_delete.connect(question_changed, sender=Question, dispatch_uid="page_cache_question_deleted")
    m2m_changed.connect(question_conditions_changed, sender=Question.conditions.through,
                        dispatch_uid="page_cache_question_conditions")
    on_save_and_delete(QuestionGroup, forgetting(FAQ), "question_group")
    # The notice's pages, and the sitemap's date for it.
    on_save_and_delete(PrivacyNotice, forgetting(PRIVACY, SITEMAP), "privacy_notice")
    post_save.connect(admin_logged, sender=LogEntry, dispatch_uid="page_cache_admin_logged")
    # The sitemap's date for /book/. Closures and bookings are on no cached page.
    on_save_and_delete(BookingSettings, forgetting(SITEMAP), "booking_settings")
    setting_changed.connect(_urls_changed, dispatch_uid="page_cache_urls_changed")
    file_changed.connect(source_changed, dispatch_uid="page_cache_source_changed")


def _urls_changed(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        page_for_path.cache_clear()


