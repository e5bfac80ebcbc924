"""The FAQ's seed: the questions of the clinic's copy, their groups, and where each is shown.

The questions come read from the copy (conditions.seed); the conditions and
pages they link to, and the service page they are featured on, come from the
conditions app's seed.
"""

from clinic.seeding import Row
from conditions.seed import same_length

from .models import FeaturedQuestion, Question, QuestionGroup

# How the FAQ is grouped, which the copy does not say: (name, slug).
QUESTION_GROUPS = [
    ("Getting ready to run", "getting-ready-to-run"),
    ("During rehabilitation", "during-rehabilitation"),
]
# For each question of the copy, in order: its group, its anchor, and the
# conditions it is shown with ("*" for every condition).
QUESTION_PLACES = [
    ("getting-ready-to-run", "pain-free-before-running", "*"),
    ("getting-ready-to-run", "ready-to-run-after-acl-reconstruction", ["post-surgical-return-to-running"]),
    ("during-rehabilitation", "why-injuries-keep-coming-back", "*"),
    ("during-rehabilitation", "running-during-rehabilitation", "*"),
    ("during-rehabilitation", "how-long-return-to-running-takes", "*"),
]


def load(loader, questions, *, service_page, conditions, pages):
    """The copy's `questions`, shown with `conditions` (by slug), reading more at `pages` (by title)."""
    if Question.objects.exists():
        return loader.report(Question, 0)
    groups = {
        slug: QuestionGroup.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})[0]
        for position, (name, slug) in enumerate(QUESTION_GROUPS, start=1)
    }
    feature_on_page = not service_page.featured_questions.exists()
    for position, (fields, (group_slug, slug, condition_slugs)) in enumerate(
        zip(questions, QUESTION_PLACES, strict=True), start=1
    ):
        question = Question.objects.create(
            group=groups[group_slug],
            question=fields["question"],
            answer=fields["answer"],
            slug=slug,
            read_more=pages.get(fields["read_more"]),
            position=position,
        )
        related = conditions.values() if condition_slugs == "*" else [conditions[s] for s in condition_slugs]
        question.conditions.set(related)
        if feature_on_page:
            FeaturedQuestion.objects.create(page=service_page, question=question, position=position)
    loader.report(Question, len(questions))


def load_spanish(loader, questions, spanish_questions, group_names_es):
    """The groups by their slug, and the questions by their anchor."""
    loader.translate(QuestionGroup, [
        Row(QuestionGroup.objects.filter(slug=slug), {"name": (name, name_es)}, slug)
        for (name, slug), name_es in zip(QUESTION_GROUPS, same_length(QUESTION_GROUPS, group_names_es))
    ])
    loader.translate(Question, [
        Row(
            Question.objects.filter(slug=slug),
            {"question": (en["question"], es["question"]), "answer": (en["answer"], es["answer"])},
            slug,
        )
        for en, es, (_group, slug, _where) in zip(questions, spanish_questions, QUESTION_PLACES, strict=True)
    ])
