"""Loads the clinic's starting content into an empty database, then its Spanish.

Safe to run again: each kind of content is loaded only while its table is
empty, so nothing is duplicated and nothing staff have edited is overwritten.
The Spanish goes into the Spanish fields of the same rows, each only while it
is empty and the English beside it is still the copy's, so a Spanish text
staff wrote is kept and English staff rewrote gets no stale translation.
"""

from datetime import time
from pathlib import Path
from typing import NamedTuple

from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.text import slugify

from booking.models import BookingSettings, OpeningHours, Practitioner
from clinic.models import Clinic
from conditions.models import Condition, Page, PatientKind, ServicePage, Stage
from conditions.seed import SeedFormatError, check_translation, read_extras, read_seed
from faq.models import FeaturedQuestion, Question, QuestionGroup
from privacy.models import PrivacyNotice

SERVICE_PAGE_SLUG = "return-to-running"
CLINIC_DESCRIPTION = "Return-to-running physiotherapy in Zona Río, Tijuana."

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


PRIVACY_NOTICE_PATH = Path(__file__).resolve().parents[3] / "privacy" / "content" / "privacy-notice.txt"
SPANISH_PRIVACY_NOTICE_PATH = PRIVACY_NOTICE_PATH.with_name("privacy-notice.es.txt")
# Starting opening hours (weekday, opens, closes) for staff to adjust: Monday to
# Friday mornings and evenings, when runners can come, and Saturday mornings.
OPENING_HOURS = [(day, time(8), time(13)) for day in range(5)] + [
    (day, time(15), time(20)) for day in range(5)
] + [(5, time(9), time(13))]


class Command(BaseCommand):
    help = "Load the clinic's starting content into an empty database. Never overwrites existing content."

    def handle(self, *args, **options):
        seed = read_seed()
        # A translation that does not match the English stops the command; the
        # transaction below keeps anything from being written when it does.
        spanish, extras = read_seed(language="es"), read_extras("es")
        check_translation(seed, spanish, extras)
        # The English pass writes through the plain field names, which
        # modeltranslation sends to the active language's fields: English here.
        with translation.override("en"), transaction.atomic():
            self.load_clinic()
            pages = self.load_pages(seed)
            page = self.load_service_page(seed, pages)
            conditions = self.load_conditions(seed)
            self.load_questions(seed, page, conditions, pages)
            self.load_booking_rules()
            self.load_spanish(seed, spanish, extras)

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
            description=CLINIC_DESCRIPTION,
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
            slug=SERVICE_PAGE_SLUG,
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
            title, body = read_privacy_notice(PRIVACY_NOTICE_PATH)
            PrivacyNotice.objects.create(version=1, title=title, body=body)
            self.report(PrivacyNotice, 1)

    # The Spanish pass. Each method lists, for every row the copy describes, the
    # rows that are it (by an identity staff do not edit: a slug, or the English
    # title for stages and kinds of patient), and the (English, Spanish) texts of
    # its fields; translate() fills what it may and reports.

    def load_spanish(self, seed, spanish, extras):
        self.translate_clinic(extras)
        self.translate_service_page(seed, spanish, extras)
        self.translate_sections(seed, spanish)
        self.translate_conditions(seed, spanish)
        self.translate_pages(extras)
        self.translate_questions(seed, spanish, extras)
        self.translate_privacy_notice()

    def translate_clinic(self, extras):
        texts = {"description": (CLINIC_DESCRIPTION, extras.clinic_description)}
        self.translate(Clinic, [Row(Clinic.objects.all(), texts, "clinic details")])

    def translate_service_page(self, seed, spanish, extras):
        texts = {name: (seed.page[name], spanish.page[name]) for name in seed.page}
        for name, english, translated in [
            ("pattern_cycle", PATTERN_CYCLE, extras.pattern_cycle),
            ("case_timeline", CASE_TIMELINE, extras.case_timeline),
        ]:
            texts[name] = ("\n".join(english), "\n".join(same_length(english, translated)))
        page = Row(ServicePage.objects.filter(slug=SERVICE_PAGE_SLUG), texts, SERVICE_PAGE_SLUG)
        self.translate(ServicePage, [page])

    def translate_sections(self, seed, spanish):
        """The stages and the kinds of patient, found by their English title on the service page."""
        for model, english, translated in [
            (Stage, seed.stages, spanish.stages),
            (PatientKind, seed.patient_kinds, spanish.patient_kinds),
        ]:
            rows = model.objects.filter(page__slug=SERVICE_PAGE_SLUG)
            self.translate(model, [
                Row(rows.filter(title_en=title), {"title": (title, title_es), "body": (body, body_es)}, title)
                for (title, body), (title_es, body_es) in zip(english, translated, strict=True)
            ])

    def translate_conditions(self, seed, spanish):
        self.translate(Condition, [
            Row(
                Condition.objects.filter(slug=en["slug"]),
                {"name": (en["name"], es["name"]), "summary": (en["summary"], es["summary"])},
                en["slug"],
                slug_es=es["slug"],
            )
            for en, es in zip(seed.conditions, spanish.conditions, strict=True)
        ])

    def translate_pages(self, extras):
        self.translate(Page, [
            Row(
                Page.objects.filter(slug=slugify(title)),
                {"title": (title, title_es)},
                slugify(title),
                slug_es=extras.page_slugs[title],
            )
            for title, title_es in extras.page_titles.items()
        ])

    def translate_questions(self, seed, spanish, extras):
        self.translate(QuestionGroup, [
            Row(QuestionGroup.objects.filter(slug=slug), {"name": (name, name_es)}, slug)
            for (name, slug), name_es in zip(QUESTION_GROUPS, same_length(QUESTION_GROUPS, extras.question_groups))
        ])
        self.translate(Question, [
            Row(
                Question.objects.filter(slug=slug),
                {"question": (en["question"], es["question"]), "answer": (en["answer"], es["answer"])},
                slug,
            )
            for en, es, (_group, slug, _where) in zip(seed.questions, spanish.questions, QUESTION_PLACES, strict=True)
        ])

    def translate_privacy_notice(self):
        """Version 1 only: a later version is the clinic's own text, not the one shipped here."""
        title, body = read_privacy_notice(PRIVACY_NOTICE_PATH)
        title_es, body_es = read_privacy_notice(SPANISH_PRIVACY_NOTICE_PATH)
        texts = {"title": (title, title_es), "body": (body, body_es)}
        self.translate(PrivacyNotice, [Row(PrivacyNotice.objects.filter(version=1), texts, "version 1")])

    def translate(self, model, rows):
        loaded, edited, missing, taken = 0, [], [], []
        for row in rows:
            instances = list(row.queryset)
            if not instances:
                missing.append(row.name)
            for instance in instances:
                filled, stale = fill_spanish(instance, row.texts)
                if row.slug_es:
                    if fill_spanish_slug(instance, row.slug_es):
                        filled.append("slug_es")
                    elif not instance.slug_es:
                        taken.append(row.slug_es)
                loaded += bool(filled)
                if stale:
                    edited.append(f"{row.name} ({', '.join(stale)})")
        self.report_spanish(model, loaded, edited, missing, taken)

    def report_spanish(self, model, loaded, edited, missing, taken):
        meta = model._meta
        if loaded:
            name = meta.verbose_name if loaded == 1 else meta.verbose_name_plural
            self.stdout.write(self.style.SUCCESS(f"Loaded Spanish for {loaded} {name}."))
        else:
            self.stdout.write(f"Kept the Spanish of the {meta.verbose_name_plural} already there.")
        if edited:
            self.stdout.write(self.style.WARNING(
                f"Left the Spanish empty where the English of the {meta.verbose_name_plural} was edited: "
                + "; ".join(edited)
            ))
        if missing:
            self.stdout.write(self.style.WARNING(
                f"Found none of these {meta.verbose_name_plural} to translate (renamed or deleted): "
                + "; ".join(missing)
            ))
        if taken:
            self.stdout.write(self.style.WARNING(
                f"Left the Spanish address empty where another of the {meta.verbose_name_plural} has it: "
                + ", ".join(taken)
            ))


class Row(NamedTuple):
    """A row the copy describes: the rows that are it, its fields' (English, Spanish) texts, and how to name it."""

    queryset: QuerySet
    texts: dict
    name: str
    slug_es: str = ""


def fill_spanish(instance, texts):
    """Set each `<field>_es` of `texts` ({field: (english, spanish)}) that is empty while `<field>_en` is the English.

    Returns the fields filled, and those left empty because their English was edited.
    """
    filled, stale = {}, []
    for field, (english, spanish) in texts.items():
        if getattr(instance, f"{field}_es"):
            continue  # written by staff, or by an earlier run
        if same_text(getattr(instance, f"{field}_en"), english):
            filled[field] = spanish
        else:
            stale.append(field)
    if not filled:
        return [], stale
    # The values just read are the condition, so an edit saved meanwhile wins.
    unchanged = {}
    for field in filled:
        unchanged[f"{field}_en"] = getattr(instance, f"{field}_en")
        unchanged[f"{field}_es"] = getattr(instance, f"{field}_es")  # None or ""
    updated = type(instance).objects.filter(pk=instance.pk, **unchanged).update(
        **{f"{field}_es": spanish for field, spanish in filled.items()}
    )
    return (list(filled) if updated else []), stale


def fill_spanish_slug(instance, slug_es):
    """Give `instance` the Spanish address `slug_es` if it has none and no other row answers to it."""
    if instance.slug_es:
        return False
    model = type(instance)
    # Pages are found by either slug (with_slug), so an English slug counts as taken too.
    if model.objects.exclude(pk=instance.pk).filter(Q(slug=slug_es) | Q(slug_es=slug_es)).exists():
        return False
    try:
        with transaction.atomic():  # the unique constraint decides a race
            return bool(model.objects.filter(pk=instance.pk, slug_es="").update(slug_es=slug_es))
    except IntegrityError:
        return False


def same_text(stored, english):
    """Whether `stored` is still `english`, allowing for the admin's Windows line ends and outer spaces."""
    return stored is not None and stored.replace("\r\n", "\n").strip() == english.strip()


def same_length(english, translated):
    if len(translated) != len(english):
        raise SeedFormatError(f"{len(english)} lines expected to translate {english!r}, found {translated!r}.")
    return translated


def read_privacy_notice(path):
    """(title, body) of a privacy notice file: its first paragraph is the title."""
    title, _blank, body = path.read_text(encoding="utf-8").partition("\n\n")
    return title.strip(), body.strip()
