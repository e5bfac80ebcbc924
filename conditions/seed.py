"""Reads the clinic's own copy of the page (content/return-to-running.txt).

The copy is plain lines with its headings lost, so it is read in the order the
page has, and every line is checked against the shape it should have: a copy
that has drifted fails loudly instead of loading into the wrong fields.
"""

from dataclasses import dataclass, field
from pathlib import Path

SEED_PATH = Path(__file__).resolve().parent / "content" / "return-to-running.txt"

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

READ_MORE_PREFIX = "Read more: "
RELATED_PREFIX = "Related conditions: "


@dataclass
class Seed:
    page: dict = field(default_factory=dict)
    conditions: list = field(default_factory=list)  # dicts: name, slug, summary
    stages: list = field(default_factory=list)  # (title, body)
    patient_kinds: list = field(default_factory=list)  # (title, body)
    questions: list = field(default_factory=list)  # dicts: question, answer, read_more
    related_titles: list = field(default_factory=list)


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

    def at_end(self):
        return self.index >= len(self.lines)


def read_seed(path=SEED_PATH):
    lines = _Lines(Path(path).read_text(encoding="utf-8"))
    seed = Seed()
    page = seed.page
    page["title"] = lines.take()
    page["strapline"] = lines.take()
    page["summary"] = lines.take()

    page["conditions_label"] = lines.take("Running injuries")
    page["conditions_heading"] = lines.take()
    for name, slug in CONDITION_NAMES:
        seed.conditions.append({"name": name, "slug": slug, "summary": lines.take()})

    page["pattern_label"] = lines.take("The pattern")
    page["pattern_heading"] = lines.take()
    page["pattern_body"] = "\n\n".join(lines.take_until("The framework"))

    page["stages_label"] = lines.take("The framework")
    page["stages_heading"] = lines.take()
    for _ in range(4):
        seed.stages.append((lines.take(), lines.take()))

    page["patients_label"] = lines.take("Who we see")
    page["patients_heading"] = lines.take()
    for _ in range(3):
        seed.patient_kinds.append((lines.take(), lines.take()))

    page["case_label"] = lines.take("Case example")
    page["case_heading"] = lines.take()
    case_lines = lines.take_until("Questions")
    page["case_body"] = "\n\n".join(case_lines[:-1])
    page["case_consent"] = case_lines[-1]

    page["questions_label"] = lines.take("Questions")
    page["questions_heading"] = lines.take()
    while lines.lines[lines.index] == "-":
        lines.take("-")
        question = lines.take()
        answer = lines.take()
        answer, _sep, read_more = answer.partition(" " + READ_MORE_PREFIX)
        seed.questions.append(
            {"question": question, "answer": answer, "read_more": read_more.removesuffix(" →").strip()}
        )
    page["faq_link_text"] = lines.take()
    related = lines.take()
    if not related.startswith(RELATED_PREFIX):
        raise SeedFormatError(f"Expected the related conditions line, found {related!r}.")
    page["related_label"] = RELATED_PREFIX.strip()
    seed.related_titles = [title.strip() for title in related.removeprefix(RELATED_PREFIX).split("·")]

    page["booking_label"] = lines.take("Book an assessment")
    page["booking_heading"] = lines.take()
    page["booking_text"] = lines.take()
    if not lines.at_end():
        raise SeedFormatError(f"Unexpected lines after the booking section: {lines.lines[lines.index:]!r}")
    return seed
