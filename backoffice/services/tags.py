"""Tagging products in bulk: add, remove, replace, clear.

Each function works on the product-tag link table directly (its kept tag counts are reported
with ``touched`` and recomputed at the end), in one transaction and a fixed
number of queries whatever the number of products (``product.tags.add()`` in a loop would be a
query or two per product). Each returns how many products actually changed, so the admin can
say "3 products tagged, 2 already had it".
"""

from collections.abc import Iterable

from backoffice.figures import collecting, touched
from backoffice.models import Product, Tag
from backoffice.services.edits import EDIT_BUMP
from backoffice.services.history import history_record_product_changes

ProductTag = Product.tags.through


def _tags_edited(product_ids, *, user=None, message: str = "") -> None:
    """Tags are a field of the product page: pages open on these products are now stale, and
    each product's history says what the bulk action did."""
    product_ids = set(product_ids)
    if product_ids:
        touched(products=product_ids)  # recomputed when the caller's ``collecting()`` ends
        Product.objects.filter(pk__in=product_ids).update(edit_version=EDIT_BUMP)
        history_record_product_changes(user=user, product_ids=product_ids, message=message)


def product_tags_add(*, product_ids: Iterable[int], tag: Tag, user=None) -> int:
    """Give ``tag`` to every product that lacks it; the number of products that gained it."""
    product_ids = set(product_ids)
    with collecting():
        already = set(
            ProductTag.objects.filter(tag=tag, product_id__in=product_ids).values_list(
                "product_id", flat=True
            )
        )
        links = [ProductTag(product_id=pk, tag_id=tag.pk) for pk in sorted(product_ids - already)]
        ProductTag.objects.bulk_create(links, ignore_conflicts=True)
        _tags_edited(
            (link.product_id for link in links),
            user=user,
            message=f"Tag “{tag.name}” added (bulk action).",
        )
    return len(links)


def product_tags_remove(*, product_ids: Iterable[int], tag: Tag, user=None) -> int:
    """Take ``tag`` off the products; the number of products that had it."""
    with collecting():
        links = ProductTag.objects.filter(tag=tag, product_id__in=set(product_ids))
        _tags_edited(
            list(links.values_list("product_id", flat=True)),
            user=user,
            message=f"Tag “{tag.name}” removed (bulk action).",
        )
        deleted, _ = links.delete()
    return deleted


def product_tags_replace(*, product_ids: Iterable[int], tags: Iterable[Tag], user=None) -> int:
    """Make ``tags`` the exact tag set of every product; the number of products that changed."""
    product_ids = set(product_ids)
    tags = list(tags)
    wanted = {tag.pk for tag in tags}
    with collecting():
        current: dict[int, set[int]] = {pk: set() for pk in product_ids}
        for product_id, tag_id in ProductTag.objects.filter(product_id__in=product_ids).values_list(
            "product_id", "tag_id"
        ):
            current[product_id].add(tag_id)
        changed = {pk for pk, tag_ids in current.items() if tag_ids != wanted}
        ProductTag.objects.filter(product_id__in=changed).exclude(tag_id__in=wanted).delete()
        ProductTag.objects.bulk_create(
            [
                ProductTag(product_id=pk, tag_id=tag_id)
                for pk in sorted(changed)
                for tag_id in sorted(wanted - current[pk])
            ],
            ignore_conflicts=True,
        )
        names = ", ".join(sorted(f"“{tag.name}”" for tag in tags)) or "none"
        _tags_edited(changed, user=user, message=f"Tags set to {names} (bulk action).")
    return len(changed)


def product_tags_clear(*, product_ids: Iterable[int], user=None) -> int:
    """Remove every tag from the products; the number of products that had any."""
    product_ids = set(product_ids)
    with collecting():
        tagged = (
            ProductTag.objects.filter(product_id__in=product_ids)
            .values("product_id")
            .distinct()
            .count()
        )
        _tags_edited(
            ProductTag.objects.filter(product_id__in=product_ids).values_list(
                "product_id", flat=True
            ),
            user=user,
            message="All tags removed (bulk action).",
        )
        ProductTag.objects.filter(product_id__in=product_ids).delete()
    return tagged
