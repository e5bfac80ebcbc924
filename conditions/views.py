import re

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from clinic.clock import price_mxn
from clinic.models import Clinic, Picture
from clinic.structured_data import breadcrumbs, clinic_data
from clinic.text import paragraphs
from team.models import Practitioner

from .models import Condition, Page, PatientStory, ServicePage
from .structured_data import condition_data

# A price in the clinic's own copy, as price_mxn writes it: "$750 MXN", "$1,200 MXN".
PRICE_IN_COPY = re.compile(r"\$\d[\d,]*(?:\.\d+)? MXN")


def with_current_price(text, clinic):
    """The copy with any price in it replaced by the one in Clinic details, so a new price reaches every sentence.

    Unchanged, word for word, while the price is the one the copy was written with.
    """
    return PRICE_IN_COPY.sub(price_mxn(clinic.assessment_price), text)


def home(request):
    page = ServicePage.objects.select_related("opening_picture", "case_picture").first()
    if page is None:
        raise Http404(_("The site's content has not been loaded yet."))
    featured_questions = page.featured_questions.filter(question__is_published=True).select_related(
        "question__read_more"
    )
    clinic = Clinic.load()
    team = list(Practitioner.objects.listed().select_related("photo"))
    return render(
        request,
        "conditions/home.html",
        {
            "page": page,
            "clinic": clinic,
            "conditions": Condition.objects.published(),
            "stages": page.stages.all(),
            "patient_kinds": page.patient_kinds.published(),
            "featured_questions": [featured.question for featured in featured_questions],
            "related_pages": page.related_pages.published(),
            "booking_text": with_current_price(page.booking_text, clinic),
            "team": team,
            "gallery": Picture.objects.filter(in_gallery=True),
            "stories": PatientStory.objects.published().select_related("condition"),
            "structured_data": [clinic_data(clinic, request, team=team)],
            "meta_title": page.search_title(clinic),
            "meta_description": page.search_description,
        },
    )


def shown_to(request, model):
    """The rows `request` may open: published ones, and for staff who may change them the unpublished too, to preview."""
    rows = model.objects.all()
    user = request.user
    if user.is_active and user.is_staff and user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}"):
        return rows
    return rows.published()


def as_preview(response):
    """A page patients cannot see yet: kept out of every cache and out of search engines."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# The condition whose story the home page's case example tells: its page links to the case.
CASE_CONDITION_SLUG = "achilles-tendinopathy"


def lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


def page_sections(condition):
    """The page's filled sections, in order: (id, heading, paragraphs, items)."""
    sections = []
    for field, heading, is_list in [
        ("feels_like", _("What it feels like, and where"), False),
        ("who_gets_it", _("Who gets it, and why"), False),
        ("assessment_checks", _("What the first assessment checks"), True),
        ("treatment", _("What treatment looks like"), False),
        ("timeline", _("A typical timeline"), False),
        ("this_week", _("What you can do this week"), True),
    ]:
        text = getattr(condition, field)
        if text.strip():
            sections.append({
                "id": field.replace("_", "-"), "heading": heading,
                "paragraphs": [] if is_list else paragraphs(text), "items": lines(text) if is_list else [],
            })
    return sections


def case_heading(condition):
    """The case example's heading, on the page of the condition it is about; else None."""
    if condition.slug != CASE_CONDITION_SLUG:
        return None
    page = ServicePage.objects.first()
    return page.case_heading if page else None


def condition_detail(request, slug):
    condition = get_object_or_404(shown_to(request, Condition).select_related("picture", "reviewed_by").with_slug(slug))
    if slug != condition.localised_slug:
        # The other language's slug, or an old address: one page, one address per language.
        return redirect(condition, permanent=True)
    questions = condition.questions.published().select_related("read_more")
    clinic = Clinic.load()
    response = render(
        request,
        "conditions/condition_detail.html",
        {
            "condition": condition,
            "preview": not condition.is_published,
            "translatable": condition,
            "questions": questions,
            "stories": condition.stories.published(),
            "sections": page_sections(condition),
            "red_flags": lines(condition.red_flags),
            "case_heading": case_heading(condition),
            "clinic": clinic,
            "meta_title": f"{condition.meta_title or condition.name} · {clinic.name}",
            "meta_description": condition.search_description,
            "structured_data": [
                condition_data(condition, request, clinic),
                breadcrumbs(
                    request, (_("Home"), reverse("conditions:home")), (condition.name, condition.get_absolute_url())
                ),
            ],
        },
    )
    return as_preview(response) if not condition.is_published else response


def page_detail(request, slug):
    page = get_object_or_404(shown_to(request, Page).with_slug(slug))
    if slug != page.localised_slug:
        return redirect(page, permanent=True)
    clinic = Clinic.load()
    response = render(
        request,
        "conditions/page_detail.html",
        {
            "page": page,
            "preview": not page.is_published,
            "translatable": page,
            "clinic": clinic,
            "meta_title": f"{page.meta_title or page.title} · {clinic.name}",
            "meta_description": page.search_description,
            "structured_data": [
                breadcrumbs(request, (_("Home"), reverse("conditions:home")), (page.title, page.get_absolute_url()))
            ],
        },
    )
    return as_preview(response) if not page.is_published else response
