"""Small helpers the tests share."""

import html
import io
import re

from django.core.management import call_command

from conditions.models import Condition, PatientKind, Stage
from conditions.seed import seed_path
from faq.models import FeaturedQuestion, Question, QuestionGroup


def page_text(response):
    """What a reader sees: tags dropped, entities decoded, white space folded."""
    body = response.content.decode()
    body = re.sub(r"<script\b.*?</script>", " ", body, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"\s+", " ", text)


def load_clinic_content():
    """The real command, its report kept out of the test's output."""
    call_command("load_clinic_content", stdout=io.StringIO())


def seed_lines(language="en"):
    return [line.strip() for line in seed_path(language).read_text(encoding="utf-8").splitlines() if line.strip()]


def add_content(page, times):
    """`times` more of every list on the page, all published."""
    group = QuestionGroup.objects.create(name="More", slug="more", position=99)
    for n in range(times):
        Condition.objects.create(name=f"Extra condition {n}", slug=f"extra-{n}", summary="Extra.", position=100 + n)
        Stage.objects.create(page=page, title=f"Extra stage {n}", body="Extra.", position=100 + n)
        PatientKind.objects.create(page=page, title=f"Extra kind {n}", body="Extra.", position=100 + n)
        question = Question.objects.create(group=group, question=f"Extra question {n}?", answer="Yes.", slug=f"extra-{n}")
        FeaturedQuestion.objects.create(page=page, question=question, position=100 + n)
        question.conditions.set(Condition.objects.all())


def staff_member(username, group_name):
    """A staff account in one of the staff groups, with nothing else."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username, f"{username}@example.com", "a-long-test-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user
