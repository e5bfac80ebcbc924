from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from clinic.models import Clinic
from clinic.structured_data import breadcrumbs, clinic_data

from .models import Condition, Page, ServicePage
from .structured_data import condition_data


def home(request):
    page = ServicePage.objects.first()
    if page is None:
        raise Http404(_("The site's content has not been loaded yet."))
    featured_questions = page.featured_questions.filter(question__is_published=True).select_related(
        "question__read_more"
    )
    clinic = Clinic.load()
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
            "structured_data": [clinic_data(clinic, request)],
            "meta_title": page.search_title(clinic),
            "meta_description": page.search_description,
        },
    )


def condition_detail(request, slug):
    condition = get_object_or_404(Condition.objects.published().with_slug(slug))
    if slug != condition.localised_slug:
        # The other language's slug, or an old address: one page, one address per language.
        return redirect(condition, permanent=True)
    questions = condition.questions.published().select_related("read_more")
    clinic = Clinic.load()
    return render(
        request,
        "conditions/condition_detail.html",
        {
            "condition": condition,
            "translatable": condition,
            "questions": questions,
            "clinic": clinic,
            "meta_title": f"{condition.meta_title or condition.name} · {clinic.name}",
            "meta_description": condition.search_description,
            "structured_data": [
                condition_data(condition, request),
                breadcrumbs(
                    request, (_("Home"), reverse("conditions:home")), (condition.name, condition.get_absolute_url())
                ),
            ],
        },
    )


def page_detail(request, slug):
    page = get_object_or_404(Page.objects.published().with_slug(slug))
    if slug != page.localised_slug:
        return redirect(page, permanent=True)
    clinic = Clinic.load()
    return render(
        request,
        "conditions/page_detail.html",
        {
            "page": page,
            "translatable": page,
            "clinic": clinic,
            "meta_title": f"{page.meta_title or page.title} · {clinic.name}",
            "meta_description": page.search_description,
            "structured_data": [
                breadcrumbs(request, (_("Home"), reverse("conditions:home")), (page.title, page.get_absolute_url()))
            ],
        },
    )
