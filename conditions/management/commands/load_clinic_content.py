"""Loads the clinic's starting content into an empty database.

Safe to run again: each kind of content is loaded only while its table is
empty, so nothing is duplicated and nothing staff have edited is overwritten.
"""

from datetime import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify

from booking.models import BookingSettings, OpeningHours, Practitioner, PrivacyNotice
from conditions.models import Clinic, Condition, Page, PatientKind, ServicePage, Stage
from conditions.seed import read_seed
from faq.models import FeaturedQuestion, Question, QuestionGroup

# Content the copy does not carry: the drawing of the cycle and the case's
# timeline, both restating the copy's own words, and how the FAQ is grouped.
PATTERN_CYCLE = ["Reduce load", "Pain goes away", "Return to training", "Pain returns"]
CASE_TIMELINE = [
    "Week 0: assessment",
    "Weeks 1–6: heel-raise and progressive tendon loading",
    "Week 7: first symptom-free run",
    "Week 14: full training volume, 40 km/week",
]
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


PRIVACY_NOTICE_PATH = Path(__file__).resolve().parents[3] / "booking" / "content" / "privacy-notice.txt"
# Starting opening hours (weekday, opens, closes) for staff to adjust: Monday to
# Friday mornings and evenings, when runners can come, and Saturday mornings.
OPENING_HOURS = [(day, time(8), time(13)) for day in range(5)] + [
    (day, time(15), time(20)) for day in range(5)
] + [(5, time(9), time(13))]


class Command(BaseCommand):
    help = "Load the clinic's starting content into an empty database. Never overwrites existing content."

    def handle(self, *args, **options):
        seed = read_seed()
        with transaction.atomic():
            self.load_clinic()
            pages = self.load_pages(seed)
            page = self.load_service_page(seed, pages)
            conditions = self.load_conditions(seed)
            self.load_questions(seed, page, conditions, pages)
            self.load_booking_rules()

    def report(self, model, created):
        name = model._meta.verbose_name_plural
        if created:
            self.stdout.write(self.style.SUCCESS(f"Loaded {created} {name}."))
        else:
            self.stdout.write(f"Kept the {name} already there.")

    def load_clinic(self):
        if Clinic.objects.exists():
            return self.report(Clinic, 0)
        Clinic.objects.create(
            name="Return to Running",
            description="Return-to-running physiotherapy in Zona Río, Tijuana.",
            neighbourhood="Zona Río",
            city="Tijuana",
            region="Baja California",
            country_code="MX",
        )
        self.report(Clinic, 1)

    def load_pages(self, seed):
        """The pages the copy names but the clinic has not written yet: unpublished."""
        titles = seed.related_titles + [question["read_more"] for question in seed.questions if question["read_more"]]
        if Page.objects.exists():
            self.report(Page, 0)
            return {page.title: page for page in Page.objects.filter(title__in=titles)}
        pages = {title: Page.objects.create(title=title, slug=slugify(title), is_published=False) for title in titles}
        self.report(Page, len(pages))
        return pages

    def load_service_page(self, seed, pages):
        page = ServicePage.objects.first()
        if page is not None:
            self.report(ServicePage, 0)
            return page
        page = ServicePage.objects.create(
            slug="return-to-running",
            pattern_cycle="\n".join(PATTERN_CYCLE),
            case_timeline="\n".join(CASE_TIMELINE),
            **seed.page,
        )
        page.related_pages.set(pages[title] for title in seed.related_titles if title in pages)
        Stage.objects.bulk_create(
            Stage(page=page, title=title, body=body, position=position)
            for position, (title, body) in enumerate(seed.stages, start=1)
        )
        PatientKind.objects.bulk_create(
            PatientKind(page=page, title=title, body=body, position=position)
            for position, (title, body) in enumerate(seed.patient_kinds, start=1)
        )
        self.report(ServicePage, 1)
        return page

    def load_conditions(self, seed):
        if Condition.objects.exists():
            self.report(Condition, 0)
            return {condition.slug: condition for condition in Condition.objects.all()}
        conditions = Condition.objects.bulk_create(
            Condition(position=position, **fields) for position, fields in enumerate(seed.conditions, start=1)
        )
        self.report(Condition, len(conditions))
        return {condition.slug: condition for condition in Condition.objects.all()}

    def load_questions(self, seed, page, conditions, pages):
        if Question.objects.exists():
            return self.report(Question, 0)
        groups = {
            slug: QuestionGroup.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})[0]
            for position, (name, slug) in enumerate(QUESTION_GROUPS, start=1)
        }
        feature_on_page = not page.featured_questions.exists()
        for position, (fields, (group_slug, slug, condition_slugs)) in enumerate(
            zip(seed.questions, QUESTION_PLACES, strict=True), start=1
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
                FeaturedQuestion.objects.create(page=page, question=question, position=position)
        self.report(Question, len(seed.questions))

    def load_booking_rules(self):
        if not BookingSettings.objects.exists():
            BookingSettings.objects.create()
            self.report(BookingSettings, 1)
        if not OpeningHours.objects.exists():
            OpeningHours.objects.bulk_create(
                OpeningHours(weekday=day, opens=opens, closes=closes) for day, opens, closes in OPENING_HOURS
            )
            self.report(OpeningHours, len(OPENING_HOURS))
        if not Practitioner.objects.exists():
            Practitioner.objects.create(name="Lead physiotherapist", position=1)
            self.report(Practitioner, 1)
        if not PrivacyNotice.objects.exists():
            title, _blank, body = PRIVACY_NOTICE_PATH.read_text(encoding="utf-8").partition("\n\n")
            PrivacyNotice.objects.create(version=1, title=title.strip(), body=body.strip())
            self.report(PrivacyNotice, 1)
