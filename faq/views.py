from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from clinic.models import Clinic
from clinic.structured_data import breadcrumbs

from .models import Question, QuestionGroup
from .structured_data import faq_data


def faq_index(request):
    published = Question.objects.published().select_related("read_more")
    groups = [
        group
        for group in QuestionGroup.objects.prefetch_related(Prefetch("questions", queryset=published))
        if group.questions.all()
    ]
    questions = [question for group in groups for question in group.questions.all()]
    clinic = Clinic.load()  # the one the footer would load anyway
    return render(
        request,
        "faq/index.html",
        {
            "groups": groups,
            "clinic": clinic,
            "meta_title": f"{_('Questions and answers')} · {clinic.name}",
            "structured_data": [
                faq_data(questions),
                breadcrumbs(request, (_("Home"), reverse("conditions:home")), (_("Questions"), request.path)),
            ],
        },
    )
