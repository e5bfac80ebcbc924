import json
import re
from datetime import date

import pytest
from django.urls import reverse

from clinic.models import Picture
from conditions.models import Condition, Page, PatientStory
from conditions.seed import CONDITION_NAMES, READ_MORE_PREFIX, RELATED_PREFIX
from team.models import Practitioner
from tests.helpers import add_content, page_text, seed_lines

pytestmark = pytest.mark.django_db


def json_ld(response):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    return [json.loads(block) for block in blocks]


def test_every_sentence_of_the_clinics_copy_is_on_the_home_page(client, clinic_content):
    text = page_text(client.get("/"))
    for line in seed_lines():
        if line == "-" or line.startswith(RELATED_PREFIX):
            continue  # list markers, and links to pages the clinic has not written yet
        line = line.split(" " + READ_MORE_PREFIX)[0]
        assert line in text, line


def test_the_copy_appears_in_its_own_order(client, clinic_content):
    text = page_text(client.get("/"))
    position = text.index("Return to Running", text.index("Skip to main content"))
    for line in seed_lines():
        if line == "-" or line.startswith(RELATED_PREFIX):
            continue
        position = text.index(line.split(" " + READ_MORE_PREFIX)[0], position)  # ValueError if out of order


def test_the_eight_conditions_are_cards_in_order_linking_to_their_pages(client, clinic_content):
    content = client.get("/").content.decode()
    links = re.findall(r'<h3 class="card__title"><a href="(/conditions/[^"]+/)">([^<]+)</a>', content)
    assert [name for _url, name in links] == [name for name, _slug in CONDITION_NAMES]
    assert [url for url, _name in links] == [f"/conditions/{slug}/" for _name, slug in CONDITION_NAMES]


def test_the_page_leads_to_booking_and_states_the_price_in_pesos(client, clinic_content):
    response = client.get("/")
    assert response.content.decode().count(f'href="{reverse("booking:start")}"') >= 3
    assert "$750 MXN" in page_text(response)
    assert "Zona Río" in page_text(response)


def test_an_unpublished_condition_leaves_the_page_the_sitemap_and_its_url(client, clinic_content):
    achilles = Condition.objects.get(slug="achilles-tendinopathy")
    achilles.is_published = False
    achilles.save()

    assert "Achilles tendinopathy" not in page_text(client.get("/"))
    assert "/conditions/achilles-tendinopathy/" not in client.get("/sitemap.xml").content.decode()
    assert client.get("/conditions/achilles-tendinopathy/").status_code == 404


def test_related_pages_are_linked_only_once_published(client, clinic_content):
    assert "Knee Pain" not in page_text(client.get("/"))
    assert "Can You Keep Training While Injured?" not in page_text(client.get("/"))

    # Saved as the admin saves them: the page cache forgets the home page that linked to neither.
    for slug, body in [("knee-pain", "What to do about knee pain."), ("can-you-keep-training-while-injured", "Often, yes.")]:
        page = Page.objects.get(slug=slug)
        page.is_published, page.body = True, body
        page.save()

    content = client.get("/").content.decode()
    assert '<a href="/knee-pain/">Knee Pain</a>' in content
    assert '<a href="/can-you-keep-training-while-injured/">Can You Keep Training While Injured?</a>' in content
    assert "Shoulder Pain" not in content


def add_people_stories_and_pictures(page, times):
    """`times` practitioners with photos, patient stories and gallery photos, and the page's own two pictures."""
    # As an upload leaves them; a page only names their renditions, so no file is needed.
    pictures = Picture.objects.bulk_create(
        Picture(image=f"pictures/{n:032x}.jpg", width=1600, height=1067, alt_text=f"Extra photo {n}", in_gallery=True)
        for n in range(times)
    )
    page.opening_picture, page.case_picture = pictures[0], pictures[1]
    page.save()
    conditions = list(Condition.objects.all())
    for n in range(times):
        Practitioner.objects.create(name=f"Lic. Extra {n}", photo=pictures[n], cedula="1234567", position=100 + n)
        PatientStory.objects.create(
            quote=f"Extra story {n}.", patient=f"Extra {n}.", condition=conditions[n % len(conditions)],
            consent_recorded_on=date(2026, 1, 1), position=100 + n,
        )


def test_home_page_query_count_holds_with_ten_times_the_content(
    client, clinic_content, django_assert_num_queries, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The page with its two pictures, the clinic, the team with their photos, the featured questions, the stories
    # with their conditions, the conditions, stages, kinds of patient, related pages, the gallery, the opening hours.
    with django_assert_num_queries(11):
        client.get("/")

    add_content(clinic_content, times=10 * 8)
    add_people_stories_and_pictures(clinic_content, times=10 * 8)
    Page.objects.update(is_published=True)

    with django_assert_num_queries(11):
        response = client.get("/")
    text = page_text(response)
    assert "Extra condition 79" in text and "Extra question 79?" in text
    assert "Lic. Extra 79" in text and "Extra story 79." in text
    assert 'alt="Extra photo 79"' in response.content.decode()


def test_search_engines_get_a_title_description_canonical_and_open_graph(client, clinic_content):
    content = client.get("/?utm_source=newsletter").content.decode()
    assert "<title>Return to Running" in content
    assert '<meta name="description" content="The goal is not pain-free walking.' in content
    assert '<link rel="canonical" href="http://testserver/">' in content
    assert '<meta property="og:title" content="Return to Running' in content
    assert '<meta property="og:url" content="http://testserver/">' in content


def test_staff_can_set_the_search_title_and_description(client, clinic_content):
    clinic_content.meta_title = "Return-to-running physio in Tijuana"
    clinic_content.meta_description = "Back to running after injury or surgery."
    clinic_content.save()
    content = client.get("/").content.decode()
    assert "<title>Return-to-running physio in Tijuana</title>" in content
    assert '<meta name="description" content="Back to running after injury or surgery.">' in content


def test_structured_data_describes_the_clinic_and_the_750_mxn_offer(client, clinic_content):
    (clinic,) = json_ld(client.get("/"))
    assert "MedicalClinic" in clinic["@type"] and "Physiotherapy" in clinic["@type"]
    assert clinic["address"]["addressLocality"] == "Tijuana"
    assert "Zona Río" in clinic["address"]["streetAddress"]
    offer = clinic["makesOffer"]
    assert (offer["@type"], offer["price"], offer["priceCurrency"]) == ("Offer", "750.00", "MXN")
    assert offer["url"] == "http://testserver/book/"


def test_a_new_price_shows_everywhere_at_once(client, clinic_content):
    from clinic.models import Clinic

    Clinic.objects.update(assessment_price=800)
    response = client.get("/")
    assert "$800 MXN" in page_text(response)
    assert json_ld(response)[0]["makesOffer"]["price"] == "800.00"


def test_content_is_escaped_never_raw_html(client, clinic_content):
    Condition.objects.filter(slug="bone-stress-injury").update(summary='<script>alert("x")</script> Bone & joint')
    content = client.get("/").content.decode()
    assert '<script>alert("x")</script>' not in content
    assert "&lt;script&gt;" in content and "Bone &amp; joint" in content


def test_home_page_before_content_is_loaded_is_a_404_not_a_crash(client, db):
    assert client.get("/").status_code == 404


def test_the_home_page_weighs_at_most_40_kb_on_the_wire(client, clinic_content):
    import gzip
    import re

    from django.contrib.staticfiles import finders

    response = client.get("/")
    html = response.content
    stylesheets = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', html.decode())
    css = b"".join(open(finders.find(path), "rb").read() for path in stylesheets)
    assert stylesheets == ["css/site.css"]
    assert len(css) <= 14 * 1024  # the design brief's budget for the stylesheet itself
    assert len(gzip.compress(html)) + len(gzip.compress(css)) <= 40 * 1024
    assert "@font-face" not in css.decode()
    # With no photo uploaded the page shows only the line drawings, well inside the 80 KB for images.
    images = re.findall(r'<img[^>]* src="([^"]+)"', html.decode())
    assert images and all(src.startswith("/static/img/") and src.endswith(".svg") for src in images)
    assert sum(len(open(finders.find(src.removeprefix("/static/")), "rb").read()) for src in set(images)) <= 80 * 1024
