import json
import re

import pytest

from faq.models import Question, QuestionGroup
from tests.helpers import add_content, page_text

pytestmark = pytest.mark.django_db


def test_the_faq_lists_every_published_question_grouped_with_anchors(client, clinic_content):
    response = client.get("/faq/")
    content = response.content.decode()
    for question in Question.objects.all():
        assert f'<a class="anchor" href="#{question.slug}">' in content
        assert question.answer in page_text(response)
    assert page_text(response).index("Getting ready to run") < page_text(response).index("During rehabilitation")


def test_the_home_page_shows_a_chosen_subset_and_links_to_the_faq(client, clinic_content):
    Question.objects.create(group=QuestionGroup.objects.first(), question="Do you see children?", answer="From age 12.", slug="children")
    assert "Do you see children?" in page_text(client.get("/faq/"))
    home = client.get("/")
    assert "Do you see children?" not in page_text(home)
    assert '<a class="action-link" href="/faq/">More questions? See the full FAQ →</a>' in home.content.decode()


def test_an_unpublished_question_is_hidden_everywhere(client, clinic_content):
    Question.objects.filter(slug="pain-free-before-running").update(is_published=False)
    for url in ["/faq/", "/", "/conditions/achilles-tendinopathy/"]:
        assert "Do I need to be fully pain-free" not in page_text(client.get(url)), url


def test_the_faq_is_marked_up_as_an_faq_page(client, clinic_content):
    content = client.get("/faq/").content.decode()
    blocks = [json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)]
    faq = next(block for block in blocks if block["@type"] == "FAQPage")
    assert len(faq["mainEntity"]) == 5
    assert faq["mainEntity"][0]["name"] == "Do I need to be fully pain-free before I start running again?"


def test_faq_query_count_does_not_grow(client, clinic_content, django_assert_num_queries):
    with django_assert_num_queries(4):
        client.get("/faq/")
    add_content(clinic_content, times=50)
    with django_assert_num_queries(4):
        assert "Extra question 49?" in page_text(client.get("/faq/"))


def test_the_faq_has_its_own_title_in_each_language(client, clinic_content):
    assert "<title>Questions and answers · Return to Running</title>" in client.get("/faq/").content.decode()
    assert "<title>Preguntas frecuentes · Return to Running</title>" in client.get("/es/preguntas-frecuentes/").content.decode()
