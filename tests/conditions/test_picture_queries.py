"""Pictures add no query per picture: "/" and a condition page ask the same with ten times the photos."""

import pytest
from django.core.cache import cache

from clinic.models import Picture
from conditions.models import Condition
from team.models import Practitioner


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pictures(count, **fields):
    """Rows as an upload leaves them; their renditions are only named on a page, never read, so no file is needed."""
    return Picture.objects.bulk_create(
        Picture(image=f"pictures/{n:032x}.jpg", width=1600, height=1067, alt_text=f"Photo {n}", **fields)
        for n in range(count)
    )


def count_queries(client, path, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    # bulk_create sends no signal, so the page cache would serve the page as it was.
    cache.clear()
    return len(queries), response


def test_home_page_query_count_holds_with_ten_times_the_pictures(client, clinic_content, django_assert_num_queries):
    first = pictures(3, in_gallery=True)
    clinic_content.opening_picture, clinic_content.case_picture = first[0], first[1]
    clinic_content.save()
    Practitioner.objects.create(name="Lic. Ana Pérez", photo=first[2])
    baseline, _ = count_queries(client, "/", django_assert_num_queries)
    assert baseline == 11  # the page, the clinic, its lists, the team with photos and the gallery: one query each

    many = pictures(30, in_gallery=True)
    for n, picture in enumerate(many[:10]):
        Practitioner.objects.create(name=f"Lic. Extra {n}", photo=picture, position=10 + n)
    cache.clear()

    with django_assert_num_queries(baseline):
        response = client.get("/")
    content = response.content.decode()
    assert content.count("<picture") >= 3 + 30 + 10
    assert 'alt="Photo 29"' in content
    assert 'width="1600" height="1067"' in content


def test_condition_page_query_count_holds_with_ten_times_the_pictures(client, clinic_content, django_assert_num_queries):
    condition = Condition.objects.get(slug="achilles-tendinopathy")
    condition.picture = pictures(1)[0]
    condition.save()
    baseline, _ = count_queries(client, condition.get_absolute_url(), django_assert_num_queries)
    assert baseline == 6  # the condition with its picture in one query

    pictures(10 * 10, in_gallery=True)
    cache.clear()

    with django_assert_num_queries(baseline):
        client.get(condition.get_absolute_url())
