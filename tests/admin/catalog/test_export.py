"""The product export with figures uses the list's own queryset (with_catalog_stats)."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from backoffice.models import Product
from backoffice.resources import ProductFiguresResource, ProductResource
from tests.truth import catalog as truth


@pytest.mark.usefixtures("seed")
def test_export_rows_carry_the_lists_figures(admin_user):
    model_admin = admin.site._registry[Product]
    request = RequestFactory().get(
        reverse("admin:backoffice_product_export"), {"has_reviews": "yes"}
    )
    request.user = admin_user
    queryset = model_admin.get_export_queryset(request)
    dataset = ProductFiguresResource().export(queryset=queryset)
    expected = truth.product_figures()
    reviewed = {pk for pk, figures in expected.items() if figures["review_count"]}
    assert {int(row["id"]) for row in dataset.dict} == reviewed  # the list's filter applies
    for row in dataset.dict:
        figures = expected[int(row["id"])]
        assert int(row["review_count"]) == figures["review_count"]
        assert int(row["units_sold"]) == figures["units_sold"]
        assert row["revenue"] == str(figures["revenue"])
        assert row["stock_status"] == figures["stock_status"]
        assert row["price_band"] == figures["price_band"]
        assert float(row["avg_rating"]) == pytest.approx(figures["avg_rating"])


def test_export_offers_both_resources_and_import_only_the_plain_one(admin_client, db):
    model_admin = admin.site._registry[Product]
    request = RequestFactory().get("/")
    assert model_admin.get_export_resource_classes(request) == [
        ProductResource,
        ProductFiguresResource,
    ]
    assert model_admin.get_import_resource_classes(request) == [ProductResource]
    page = admin_client.get(reverse("admin:backoffice_product_export"))
    assert "Products with sales and review figures (export only)" in page.content.decode()
