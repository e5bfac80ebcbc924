"""The conditions app's seed: the clinic's own copy of the page (content/return-to-running.txt), read and loaded.

The copy is plain lines with its headings lost, so it is read in the order the
page has, and every line is checked against the shape it should have: a copy
that has drifted fails loudly instead of loading into the wrong fields. A
translation has the same lines, with its own labels (WORDING); what it cannot
carry, such as the names and addresses of the conditions, comes in its extras
file (content/extras.<language>.json).

load() then creates the service page, its stages and kinds of patient, the
conditions and the pages the copy names, each only while its table is empty,
and fills each condition's page sections (content/condition-pages.txt) where
they are empty; load_spanish() gives them the translation (clinic.seeding says
how).
The copy's questions are the FAQ's, loaded by faq.seed.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.db.models import Q
from django.utils.text import slugify

from clinic.seeding import Row

from .models import Condition, Page, PatientKind, PatientReason, ServicePage, Stage

CONTENT_DIR = Path(__file__).resolve().parent / "content"
SEED_PATH = CONTENT_DIR / "return-to-running.txt"

# The headings the copy lost, in its order: (name, slug).
CONDITION_NAMES = [
    ("Iliotibial band syndrome", "iliotibial-band-syndrome"),
    ("Patellofemoral pain", "patellofemoral-pain"),
    ("Patellar tendinopathy", "patellar-tendinopathy"),
    ("Achilles tendinopathy", "achilles-tendinopathy"),
    ("Plantar heel pain (plantar fasciitis)", "plantar-heel-pain"),
    ("Bone stress injury", "bone-stress-injury"),
    ("Hip and hamstring tendinopathies", "hip-and-hamstring-tendinopathies"),
    ("Post-surgical return to running", "post-surgical-return-to-running"),
]

# Where a patient booking says it hurts, or why they come, for each condition (conditions.models.PatientReason).
PATIENT_REASONS = {
    "iliotibial-band-syndrome": PatientReason.KNEE,
    "patellofemoral-pain": PatientReason.KNEE,
    "patellar-tendinopathy": PatientReason.KNEE,
    "achilles-tendinopathy": PatientReason.ACHILLES_CALF,
    "plantar-heel-pain": PatientReason.HEEL_FOOT,
    "bone-stress-injury": PatientReason.SHIN,
    "hip-and-hamstring-tendinopathies": PatientReason.HIP_HAMSTRING,
    "post-surgical-return-to-running": PatientReason.AFTER_SURGERY,
}

READ_MORE_PREFIX = "Read more: "
RELATED_PREFIX = "Related conditions: "


@dataclass(frozen=True)
class Wording:
    """The lines a copy must have word for word: its section labels, in page order, and two prefixes."""

    conditions_label: str
    pattern_label: str
    stages_label: str
    patients_label: str
    case_label: str
    questions_label: str
    booking_label: str
    read_more_prefix: str
    related_prefix: str


WORDING = {
    "en": Wording(
        conditions_label="Running injuries",
        pattern_label="The pattern",
        stages_label="The framework",
        patients_label="Who we see",
        case_label="Case example",
        questions_label="Questions",
        booking_label="Book an assessment",
        read_more_prefix=READ_MORE_PREFIX,
        related_prefix=RELATED_PREFIX,
    ),
    "es": Wording(
        conditions_label="Lesiones en corredores",
        pattern_label="El patrón",
        stages_label="El método",
        patients_label="A quién atendemos",
        case_label="Caso clínico",
        questions_label="Preguntas",
        booking_label="Agenda una valoración",
        read_more_prefix="Lee más: ",
        related_prefix="Padecimientos relacionados: ",
    ),
}


def seed_path(language):
    return SEED_PATH if language == "en" else CONTENT_DIR / f"return-to-running.{language}.txt"


def extras_path(language):
    return CONTENT_DIR / f"extras.{language}.json"


@dataclass
class Seed:
    page: dict = field(default_factory=dict)
    conditions: list = field(default_factory=list)  # dicts: name, slug, summary
    stages: list = field(default_factory=list)  # (title, body)
    patient_kinds: list = field(default_factory=list)  # (title, body)
    questions: list = field(default_factory=list)  # dicts: question, answer, read_more
    related_titles: list = field(default_factory=list)


@dataclass
class Extras:
    """What a translation of the copy cannot carry in its lines, keyed or ordered as the English."""

    condition_names: list  # (name, slug), in CONDITION_NAMES' order
    pattern_cycle: list  # the steps of the cycle
    case_timeline: list  # the case's milestones
    question_groups: list  # the groups' names, in faq.seed.QUESTION_GROUPS' order
    clinic_description: str
    page_titles: dict  # English title: translated title, for each page the copy names
    page_slugs: dict  # English title: translated slug


class SeedFormatError(ValueError):
    pass


class _Lines:
    def __init__(self, text):
        self.lines = [line.rstrip() for line in text.splitlines() if line.strip()]
        self.index = 0

    def take(self, expected=None):
        if self.index >= len(self.lines):
            raise SeedFormatError(f"The copy ended early; expected {expected or 'more lines'}.")
        line = self.lines[self.index]
        if expected is not None and line != expected:
            raise SeedFormatError(f"Line {self.index + 1}: expected {expected!r}, found {line!r}.")
        self.index += 1
        return line

    def take_until(self, stop):
        taken = []
        while self.index < len(self.lines) and self.lines[self.index] != stop:
            taken.append(self.take())
        return taken

    def next_is(self, line):
        return self.index < len(self.lines) and self.lines[self.index] == line

    def at_end(self):
        return self.index >= len(self.lines)


def read_seed(path=None, language="en"):
    """The copy in `language`, from `path` or the clinic's file for that language."""
    if language not in WORDING:
        raise ValueError(f"No wording for the language {language!r}; known: {', '.join(WORDING)}.")
    wording = WORDING[language]
    names = CONDITION_NAMES if language == "en" else read_extras(language).condition_names
    lines = _Lines(Path(path or seed_path(language)).read_text(encoding="utf-8"))
    seed = Seed()
    page = seed.page
    page["title"] = lines.take()
    page["strapline"] = lines.take()
    page["summary"] = lines.take()

    page["conditions_label"] = lines.take(wording.conditions_label)
    page["conditions_heading"] = lines.take()
    for name, slug in names:
        seed.conditions.append({"name": name, "slug": slug, "summary": lines.take()})

    page["pattern_label"] = lines.take(wording.pattern_label)
    page["pattern_heading"] = lines.take()
    page["pattern_body"] = "\n\n".join(lines.take_until(wording.stages_label))

    page["stages_label"] = lines.take(wording.stages_label)
    page["stages_heading"] = lines.take()
    for _ in range(4):
        seed.stages.append((lines.take(), lines.take()))

    page["patients_label"] = lines.take(wording.patients_label)
    page["patients_heading"] = lines.take()
    for _ in range(3):
        seed.patient_kinds.append((lines.take(), lines.take()))

    page["case_label"] = lines.take(wording.case_label)
    page["case_heading"] = lines.take()
    case_lines = lines.take_until(wording.questions_label)
    if len(case_lines) < 2:
        raise SeedFormatError(f"The case example needs its text and a consent line before {wording.questions_label!r}.")
    page["case_body"] = "\n\n".join(case_lines[:-1])
    page["case_consent"] = case_lines[-1]

    page["questions_label"] = lines.take(wording.questions_label)
    page["questions_heading"] = lines.take()
    while lines.next_is("-"):
        lines.take("-")
        question = lines.take()
        answer = lines.take()
        answer, _sep, read_more = answer.partition(" " + wording.read_more_prefix)
        seed.questions.append(
            {"question": question, "answer": answer, "read_more": read_more.removesuffix(" →").strip()}
        )
    page["faq_link_text"] = lines.take()
    related = lines.take()
    if not related.startswith(wording.related_prefix):
        raise SeedFormatError(f"Expected the related conditions line ({wording.related_prefix!r}…), found {related!r}.")
    page["related_label"] = wording.related_prefix.strip()
    seed.related_titles = [title.strip() for title in related.removeprefix(wording.related_prefix).split("·")]

    page["booking_label"] = lines.take(wording.booking_label)
    page["booking_heading"] = lines.take()
    page["booking_text"] = lines.take()
    if not lines.at_end():
        raise SeedFormatError(f"Unexpected lines after the booking section: {lines.lines[lines.index:]!r}")
    return seed


def read_extras(language, path=None):
    """The extras of the translation into `language`, checked against the English they translate."""
    path = Path(path or extras_path(language))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        extras = Extras(
            condition_names=list(zip(data["condition_names"], data["condition_slugs"], strict=True)),
            pattern_cycle=data["pattern_cycle"],
            case_timeline=data["case_timeline"],
            question_groups=data["question_groups"],
            clinic_description=data["clinic_description"],
            page_titles=data["page_titles"],
            page_slugs=data["page_slugs"],
        )
    except (ValueError, KeyError, TypeError) as error:  # JSONDecodeError and zip(strict=True) are ValueErrors
        raise SeedFormatError(f"{path.name}: {error!r}") from error
    if len(extras.condition_names) != len(CONDITION_NAMES):
        raise SeedFormatError(
            f"{path.name}: {len(CONDITION_NAMES)} condition names expected, found {len(extras.condition_names)}."
        )
    if extras.page_slugs.keys() != extras.page_titles.keys():
        raise SeedFormatError(f"{path.name}: page_slugs must name the same pages as page_titles.")
    _check_slugs(path.name, [slug for _name, slug in extras.condition_names])
    _check_slugs(path.name, list(extras.page_slugs.values()))
    return extras


def _check_slugs(where, slugs):
    for slug in slugs:
        if slugify(slug) != slug:
            raise SeedFormatError(f"{where}: {slug!r} is not an address (try {slugify(slug)!r}).")
    if len(set(slugs)) != len(slugs):
        raise SeedFormatError(f"{where}: the same address is given twice in {slugs!r}.")


def check_translation(english, translated, extras):
    """Refuse a translation that does not name the same pages, in the same places, as the English."""
    named = {*english.related_titles, *(question["read_more"] for question in english.questions)} - {""}
    if set(extras.page_titles) != named:
        raise SeedFormatError(f"The extras translate {sorted(extras.page_titles)!r}; the copy names {sorted(named)!r}.")
    expected = [extras.page_titles[title] for title in english.related_titles]
    if translated.related_titles != expected:
        raise SeedFormatError(f"Related pages {translated.related_titles!r}; the extras call them {expected!r}.")
    if len(translated.questions) != len(english.questions):
        raise SeedFormatError(f"{len(english.questions)} questions expected, found {len(translated.questions)}.")
    for question, translation in zip(english.questions, translated.questions):
        expected = extras.page_titles.get(question["read_more"], "")
        if translation["read_more"] != expected:
            found = translation["read_more"]
            raise SeedFormatError(f"{translation['question']!r} reads more at {found!r}, not {expected!r}.")


# The condition pages' sections (content/condition-pages.txt and its translations).

# Each section's field, with its heading in each language's file (the headings the page shows), in the files' order.
PAGE_SECTIONS = {
    "feels_like": {"en": "What it feels like, and where", "es": "Qué se siente y dónde"},
    "who_gets_it": {"en": "Who gets it, and why", "es": "A quién le da y por qué"},
    "assessment_checks": {"en": "What the first assessment checks", "es": "Qué revisa la primera valoración"},
    "treatment": {"en": "What treatment looks like", "es": "Cómo es el tratamiento"},
    "timeline": {"en": "A typical timeline", "es": "Cuánto tarda, por lo general"},
    "this_week": {"en": "What you can do this week", "es": "Qué puedes hacer esta semana"},
    "red_flags": {"en": "See a doctor now if…", "es": "Acude al médico de inmediato si…"},
    "signs": {"en": "Signs and symptoms", "es": "Signos y síntomas"},
}
# Sections written as "- " items in the files, kept one per line in the fields.
LIST_SECTIONS = {"assessment_checks", "this_week", "red_flags", "signs"}
ADDRESS_LINE = re.compile(r"# ([a-z0-9]+(?:-[a-z0-9]+)*)")


def condition_pages_path(language):
    return CONTENT_DIR / ("condition-pages.txt" if language == "en" else f"condition-pages.{language}.txt")


def read_condition_pages(language="en", path=None):
    """{slug: {field: text}}: each condition's page sections, in CONDITION_NAMES' order, every section filled."""
    path = Path(path or condition_pages_path(language))
    headings = {sections[language]: field for field, sections in PAGE_SECTIONS.items()}
    pages, page, field, lines = {}, None, None, []

    def close_section():
        if field is not None:
            page[field] = _section_text(path.name, slug, field, lines)

    slug = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.rstrip()
        address = ADDRESS_LINE.fullmatch(line)
        if address:
            close_section()
            slug, page, field, lines = address.group(1), {}, None, []
            if slug in pages:
                raise SeedFormatError(f"{path.name} line {number}: {slug!r} appears twice.")
            pages[slug] = page
        elif line.startswith("## "):
            if page is None:
                raise SeedFormatError(f"{path.name} line {number}: a section before the first condition's address.")
            close_section()
            heading = line.removeprefix("## ").strip()
            expected = list(PAGE_SECTIONS)[len(page)] if len(page) < len(PAGE_SECTIONS) else None
            if headings.get(heading) != expected:
                wanted = PAGE_SECTIONS[expected][language] if expected else "the next condition's address"
                raise SeedFormatError(f"{path.name} line {number}: expected the section {wanted!r}, found {heading!r}.")
            field, lines = expected, []
        elif page is None:
            if line and not line.startswith("#"):
                raise SeedFormatError(f"{path.name} line {number}: text before the first condition's address.")
        else:
            lines.append(line)
    close_section()
    slugs = [slug for _name, slug in CONDITION_NAMES]
    if list(pages) != slugs:
        raise SeedFormatError(f"{path.name}: the conditions {list(pages)!r}, expected {slugs!r} in that order.")
    for slug, page in pages.items():
        if len(page) != len(PAGE_SECTIONS):
            missing = [PAGE_SECTIONS[field][language] for field in PAGE_SECTIONS if field not in page]
            raise SeedFormatError(f"{path.name}: {slug} lacks the sections {missing!r}.")
    return pages


def _section_text(where, slug, field, lines):
    if field in LIST_SECTIONS:
        items = [line.strip() for line in lines if line.strip()]
        for item in items:
            if not item.startswith("- ") or not item.removeprefix("- ").strip():
                raise SeedFormatError(f"{where}: in {slug}, {field}: each line is an item starting with “- ”, not {item!r}.")
        text = "\n".join(item.removeprefix("- ").strip() for item in items)
    else:
        paragraphs_, current = [], []
        for line in [*lines, ""]:
            if line.strip():
                current.append(line.strip())
            elif current:
                paragraphs_.append("\n".join(current))
                current = []
        text = "\n\n".join(paragraphs_)
    if not text:
        raise SeedFormatError(f"{where}: {slug} has an empty section {field!r}.")
    return text


def check_condition_pages(english, translated):
    """Refuse a translation of the pages whose lists do not have an item for each of the English's."""
    for slug, sections in english.items():
        for name in LIST_SECTIONS:
            ours, theirs = sections[name].splitlines(), translated[slug][name].splitlines()
            if len(ours) != len(theirs):
                raise SeedFormatError(f"{slug}, {name}: {len(ours)} items in English, {len(theirs)} translated.")


def same_length(english, translated):
    """`translated`, if it has a line for each of `english`'s."""
    if len(translated) != len(english):
        raise SeedFormatError(f"{len(english)} lines expected to translate {english!r}, found {translated!r}.")
    return translated


# Loading the copy.

SERVICE_PAGE_SLUG = "return-to-running"

# Content the copy does not carry: the drawing of the cycle and the case's
# timeline, both restating the copy's own words.
PATTERN_CYCLE = ["Reduce load", "Pain goes away", "Return to training", "Pain returns"]
CASE_TIMELINE = [
    "Week 0: assessment",
    "Weeks 1–6: heel-raise and progressive tendon loading",
    "Week 7: first symptom-free run",
    "Week 14: full training volume, 40 km/week",
]


class Loaded(NamedTuple):
    """The rows the FAQ's questions link to."""

    pages: dict  # title: Page, for each page the copy names
    service_page: ServicePage
    conditions: dict  # slug: Condition


def load(loader, seed):
    condition_pages = read_condition_pages()
    check_condition_pages(condition_pages, read_condition_pages("es"))  # before anything is written
    pages = load_pages(loader, seed)
    service_page = load_service_page(loader, seed, pages)
    conditions = load_conditions(loader, seed)
    load_condition_pages(loader, condition_pages)
    return Loaded(pages, service_page, conditions)


def load_pages(loader, seed):
    """The pages the copy names but the clinic has not written yet: unpublished."""
    titles = seed.related_titles + [question["read_more"] for question in seed.questions if question["read_more"]]
    if Page.objects.exists():
        loader.report(Page, 0)
        return {page.title: page for page in Page.objects.filter(title__in=titles)}
    pages = {title: Page.objects.create(title=title, slug=slugify(title), is_published=False) for title in titles}
    loader.report(Page, len(pages))
    return pages


def load_service_page(loader, seed, pages):
    page = ServicePage.objects.first()
    if page is not None:
        loader.report(ServicePage, 0)
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
    loader.report(ServicePage, 1)
    return page


def load_conditions(loader, seed):
    if Condition.objects.exists():
        loader.report(Condition, 0)
        fill_patient_reasons()
        return {condition.slug: condition for condition in Condition.objects.all()}
    conditions = Condition.objects.bulk_create(
        Condition(position=position, **fields) for position, fields in enumerate(seed.conditions, start=1)
    )
    loader.report(Condition, len(conditions))
    fill_patient_reasons()
    return {condition.slug: condition for condition in Condition.objects.all()}


def fill_patient_reasons():
    """Each condition's answer on the booking's reason step, where staff have not chosen one."""
    for slug, reason in PATIENT_REASONS.items():
        Condition.objects.filter(slug=slug, patient_reason="").update(patient_reason=reason)


def load_condition_pages(loader, condition_pages):
    """Each condition's page sections, into those still empty: a section staff wrote, or cleared, on a page is theirs."""
    filled = 0
    for condition in Condition.objects.filter(slug__in=condition_pages):
        empty = {
            name: text for name, text in condition_pages[condition.slug].items()
            if not getattr(condition, f"{name}_en")
        }
        if not empty:
            continue
        # Written only if still empty, so a section saved meanwhile wins; update() leaves "last changed" alone.
        still_empty = Q()
        for name in empty:
            still_empty &= Q(**{f"{name}_en": ""}) | Q(**{f"{name}_en__isnull": True})
        filled += Condition.objects.filter(still_empty, pk=condition.pk).update(
            **{f"{name}_en": text for name, text in empty.items()}
        )
    if filled:
        loader.stdout.write(loader.style.SUCCESS(f"Loaded the page sections of {filled} conditions."))
    else:
        loader.stdout.write("Kept the page sections of the conditions already there.")


# The Spanish. Each row the copy describes is found by an identity staff do not
# edit: a slug, or the English title for stages and kinds of patient.

def load_spanish(loader, seed, spanish, extras):
    load_spanish_service_page(loader, seed, spanish, extras)
    load_spanish_sections(loader, seed, spanish)
    load_spanish_conditions(loader, seed, spanish)
    load_spanish_pages(loader, extras)


def load_spanish_service_page(loader, seed, spanish, extras):
    texts = {name: (seed.page[name], spanish.page[name]) for name in seed.page}
    for name, english, translated in [
        ("pattern_cycle", PATTERN_CYCLE, extras.pattern_cycle),
        ("case_timeline", CASE_TIMELINE, extras.case_timeline),
    ]:
        texts[name] = ("\n".join(english), "\n".join(same_length(english, translated)))
    page = Row(ServicePage.objects.filter(slug=SERVICE_PAGE_SLUG), texts, SERVICE_PAGE_SLUG)
    loader.translate(ServicePage, [page])


def load_spanish_sections(loader, seed, spanish):
    """The stages and the kinds of patient, found by their English title on the service page."""
    for model, english, translated in [
        (Stage, seed.stages, spanish.stages),
        (PatientKind, seed.patient_kinds, spanish.patient_kinds),
    ]:
        rows = model.objects.filter(page__slug=SERVICE_PAGE_SLUG)
        loader.translate(model, [
            Row(rows.filter(title_en=title), {"title": (title, title_es), "body": (body, body_es)}, title)
            for (title, body), (title_es, body_es) in zip(english, translated, strict=True)
        ])


def load_spanish_conditions(loader, seed, spanish):
    english_pages, spanish_pages = read_condition_pages(), read_condition_pages("es")
    loader.translate(Condition, [
        Row(
            Condition.objects.filter(slug=en["slug"]),
            {
                "name": (en["name"], es["name"]),
                "summary": (en["summary"], es["summary"]),
                **{
                    field: (text, spanish_pages[en["slug"]][field])
                    for field, text in english_pages.get(en["slug"], {}).items()
                },
            },
            en["slug"],
            slug_es=es["slug"],
        )
        for en, es in zip(seed.conditions, spanish.conditions, strict=True)
    ])


def load_spanish_pages(loader, extras):
    loader.translate(Page, [
        Row(
            Page.objects.filter(slug=slugify(title)),
            {"title": (title, title_es)},
            slugify(title),
            slug_es=extras.page_slugs[title],
        )
        for title, title_es in extras.page_titles.items()
    ])
