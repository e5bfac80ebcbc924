import json
import re
from datetime import date

import pytest

from conditions.models import Condition
from conditions.seed import CONDITION_NAMES
from faq.models import Question
from team.models import Practitioner
from tests.helpers import add_content, page_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name,slug", CONDITION_NAMES)
def test_each_condition_has_its_own_page(client, clinic_content, name, slug):
    condition = Condition.objects.get(slug=slug)
    response = client.get(f"/conditions/{slug}/")
    assert response.status_code == 200
    text = page_text(response)
    assert f"<h1>{name}</h1>" in response.content.decode()
    assert condition.summary in text
    assert "Book an assessment" in text and "$750 MXN" in text


def test_a_condition_page_shows_the_longer_body_staff_write_as_paragraphs(client, clinic_content):
    Condition.objects.filter(slug="achilles-tendinopathy").update(
        body="First paragraph about <loading>.\n\nSecond paragraph."
    )
    content = client.get("/conditions/achilles-tendinopathy/").content.decode()
    assert '<p class="measure">First paragraph about &lt;loading&gt;.</p>' in content
    assert '<p class="measure">Second paragraph.</p>' in content


def test_a_condition_page_shows_its_related_questions_only(client, clinic_content):
    acl = "How do I know if I&#x27;m ready to run after ACL reconstruction?"
    assert acl in client.get("/conditions/post-surgical-return-to-running/").content.decode()
    assert acl not in client.get("/conditions/achilles-tendinopathy/").content.decode()

    question = Question.objects.get(slug="why-injuries-keep-coming-back")
    question.is_published = False
    question.save()  # as the admin saves it: the page cache forgets the pages that showed it
    assert "Why does my running injury keep coming back?" not in page_text(
        client.get("/conditions/achilles-tendinopathy/")
    )


def test_a_condition_page_tells_search_engines_what_it_is(client, clinic_content):
    content = client.get("/conditions/achilles-tendinopathy/").content.decode()
    blocks = [json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)]
    kinds = {block["@type"]: block for block in blocks}
    assert kinds["MedicalCondition"]["name"] == "Achilles tendinopathy"
    trail = [item["name"] for item in kinds["BreadcrumbList"]["itemListElement"]]
    assert trail == ["Home", "Achilles tendinopathy"]
    assert "<title>Achilles tendinopathy · Return to Running</title>" in content
    assert '<link rel="canonical" href="http://testserver/conditions/achilles-tendinopathy/">' in content


def test_an_unknown_condition_is_a_404(client, clinic_content):
    assert client.get("/conditions/tennis-elbow/").status_code == 404


def test_condition_page_query_count_does_not_grow(client, clinic_content, django_assert_num_queries):
    # The condition (with its reviewer and photo), the clinic, its questions, its stories; the Achilles page
    # also reads the case example's heading, to link to it.
    Condition.objects.update(reviewed_by=Practitioner.objects.first(), reviewed_on=date(2026, 11, 20))
    with django_assert_num_queries(6):
        client.get("/conditions/achilles-tendinopathy/")
    with django_assert_num_queries(5):
        client.get("/conditions/bone-stress-injury/")
    add_content(clinic_content, times=30)
    with django_assert_num_queries(6):
        response = client.get("/conditions/achilles-tendinopathy/")
    assert "Extra question 29?" in page_text(response)
