"""Product.objects.with_tag_names(): a product's tag names, as its tags would list them."""

import pytest

from backoffice.models import Product
from tests.factories import ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_the_names_are_the_tags_in_the_databases_own_name_order():
    """Mixed case and a comma inside a name: the order is the database's ``ORDER BY name``
    (what ``product.tags.all()`` gives), and a name is never split."""
    tagged = ProductFactory()
    tagged.tags.set(
        [TagFactory(name=n) for n in ["summer, 2026", "Zed", "apple", "Émile", "10-pack"]]
    )
    untagged = ProductFactory()
    got = {p.pk: p.tag_names for p in Product.objects.with_tag_names()}
    assert got[tagged.pk] == [tag.name for tag in tagged.tags.all()]
    assert sorted(got[tagged.pk]) == sorted(["summer, 2026", "Zed", "apple", "Émile", "10-pack"])
    assert got[untagged.pk] == []


def test_the_names_come_with_the_rows_in_one_query(django_assert_num_queries):
    for i in range(3):
        ProductFactory().tags.set([TagFactory(name=f"t{i}"), TagFactory(name="shared")])
    with django_assert_num_queries(1):
        names = [p.tag_names for p in Product.objects.with_tag_names().order_by("pk")]
    assert names == [["shared", "t0"], ["shared", "t1"], ["shared", "t2"]]
