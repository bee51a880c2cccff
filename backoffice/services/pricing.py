"""Price changes by a percentage: discounts and raises, applied set-based.

Rounding rule (documented for staff on the action page too): the new price is
``price × (100 ± N) / 100`` computed exactly in decimal, then rounded to the cent with
ROUND_HALF_UP (half a cent goes up). 39.99 less 10% is 35.991, which gives 35.99; 10.05 less 10%
is 9.045, which gives 9.05. The arithmetic happens in Python rather than in SQL because SQLite
multiplies decimals as binary floats, so ``ROUND(price * 0.9, 2)`` could differ between the
two databases on a half cent.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from backoffice.cache import dashboard_changed
from backoffice.models import Category, Product
from backoffice.querysets.expressions import CENT, cents
from backoffice.services.edits import EDIT_BUMP
from backoffice.services.history import history_record_changes

# Product.price is DecimalField(max_digits=10, decimal_places=2).
HIGHEST_PRICE = Decimal("99999999.99")


@dataclass
class PriceChangeResult:
    """What happened: products changed, left as they were, and refused (id -> reason)."""

    changed: int = 0
    unchanged: int = 0
    refusals: dict[int, str] = field(default_factory=dict)


def price_adjusted(price: Decimal, percent: Decimal) -> Decimal:
    """``price`` changed by ``percent`` (negative for a discount), to the cent, half up."""
    return cents(price * (Decimal(100) + percent) / Decimal(100))


def _refusal(product: Product, new_price: Decimal) -> str | None:
    """Why ``new_price`` breaks the model's price rules, or None. Reuses ``Product.clean``."""
    if new_price < CENT:
        return f"{product.name}: the price would fall to {new_price}, below 0.01."
    if new_price > HIGHEST_PRICE:
        return f"{product.name}: the price would exceed {HIGHEST_PRICE}."
    old_price, product.price = product.price, new_price
    try:
        product.clean()
    except ValidationError as error:
        messages = error.message_dict.get("price")
        if messages:
            return f"{product.name}: {new_price} refused. " + " ".join(messages)
    finally:
        product.price = old_price
    return None


def prices_adjust(*, product_ids: Iterable[int], percent: Decimal, user=None) -> PriceChangeResult:
    """Change the price of every product by ``percent`` (−10 = 10% off), in one transaction.

    Rows are locked in primary-key order; each new price is checked against the product's
    rules (above cost, category minimum); refused products keep their price and are reported,
    the others are written with a single ``bulk_update``.
    """
    percent = Decimal(percent)
    if percent <= -100:
        raise ValidationError("A discount must be less than 100%.")
    result = PriceChangeResult()
    with transaction.atomic():
        products = list(
            Product.objects.select_for_update()
            .filter(pk__in=set(product_ids))
            .order_by("pk")
            .only("pk", "name", "sku", "price", "cost", "category_id")
        )
        categories = Category.objects.in_bulk({product.category_id for product in products})
        now = timezone.now()
        changed, old_prices = [], {}
        for product in products:
            product.category = categories[product.category_id]
            new_price = price_adjusted(product.price, percent)
            if new_price == product.price:
                result.unchanged += 1
                continue
            reason = _refusal(product, new_price)
            if reason:
                result.refusals[product.pk] = reason
                continue
            old_prices[product.pk] = product.price
            product.price, product.updated_at = new_price, now
            product.edit_version = EDIT_BUMP  # a field edit: open pages of it are now stale
            changed.append(product)
        Product.objects.bulk_update(changed, ["price", "updated_at", "edit_version"])
        change = "discount" if percent < 0 else "rise"
        history_record_changes(
            user=user,
            objects=changed,
            message=lambda p: (
                f"Price {old_prices[p.pk]} → {p.price} (bulk action: {change} of {abs(percent)}%)."
            ),
        )
        result.changed = len(changed)
        if changed:
            dashboard_changed()
    return result
