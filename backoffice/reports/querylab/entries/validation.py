"""The guide's "Advanced Model Validation and Business Rules", with its "Use Database
Constraints" and "Error Handling" best practices."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backoffice.models import Product
from backoffice.reports.querylab.registry import example

SECTION = "Advanced Model Validation"


@example(SECTION, 'Business rules in clean(): the "Cheap Electronics" product', errata=("E19",))
def cheap_electronics_validation():
    """The guide's rules (price above cost, $100 minimum for Electronics, SKU prefix per
    category) are this project's `Product.clean()`. Changed: the guide calls `product.save()`,
    whose override runs `full_clean()`; this project's save() does not (the admin and the
    import validate before saving), so the example calls `full_clean()` itself. full_clean()
    also checks the fields and constraints, which is why `supplier` (required) is reported
    too. Unlike the guide's clean(), which assigns `errors['price']` twice and keeps only the
    second message, both price errors are reported."""

    def test_product_validation():
        try:
            product = Product(
                name="Cheap Electronics",
                sku="CL-1234",  # Wrong prefix for electronics
                price=Decimal("50.00"),  # Too cheap
                cost=Decimal("60.00"),  # Higher than price
                category_id=1,  # Electronics
            )
            product.full_clean()
        except ValidationError as e:
            return {"errors": e.message_dict}
        return {"errors": None}

    validation_result = test_product_validation()
    return validation_result["errors"]


@example(SECTION, "Database constraints: CheckConstraint and UniqueConstraint", writes=True)
def database_constraints():
    """The guide's constraints are this project's: `product_price_positive` (price > 0) and
    `unique_product_per_supplier`. The guide writes `CheckConstraint(check=...)`; since Django
    5.1 the argument is `condition=` (`check=` is deprecated and goes away in Django 6.0).
    Each attempt runs in its own atomic() block so that the failed INSERT does not break the
    transaction."""
    attempts = {
        "price 0.00": {"name": "Free sample", "price": Decimal("0.00")},
        "a second MacBook Pro from TechCorp": {"name": "MacBook Pro", "price": Decimal("1.00")},
        "a valid product": {"name": "Desk Lamp", "price": Decimal("24.99")},
    }
    results = {}
    for label, data in attempts.items():
        try:
            with transaction.atomic():
                Product.objects.create(category_id=1, supplier_id=1, **data)
            results[label] = "saved"
        except IntegrityError as exc:
            results[label] = f"IntegrityError: {str(exc).splitlines()[0]}"
    return results


@example(SECTION, "Error handling: safe_get_product()")
def safe_get_product_example():
    def safe_get_product(product_id):
        try:
            return Product.objects.select_related("category").get(id=product_id)
        except Product.DoesNotExist:
            return None
        except Product.MultipleObjectsReturned:
            # This shouldn't happen with ID, but good to handle
            return Product.objects.filter(id=product_id).first()

    found = safe_get_product(1)
    missing = safe_get_product(999)
    return {
        "safe_get_product(1)": f"{found.name} ({found.category.name})" if found else None,
        "safe_get_product(999)": missing,
    }


@example(SECTION, "Error handling: create_product_safely()", writes=True)
def create_product_safely_example():
    """The data is the lab's choice: one valid product and one with an empty name and a
    negative price."""

    def create_product_safely(data):
        try:
            product = Product(**data)
            product.full_clean()  # Validate before saving
            product.save()
            return product, None
        except ValidationError as e:
            return None, e.message_dict
        except Exception as e:
            return None, str(e)

    valid, valid_errors = create_product_safely(
        {"name": "Desk Lamp", "price": Decimal("24.99"), "category_id": 4, "supplier_id": 4}
    )
    invalid, invalid_errors = create_product_safely(
        {"name": "", "price": Decimal("-1.00"), "category_id": 4, "supplier_id": 4}
    )
    return {
        "valid data: saved as": f"#{valid.id} {valid.name}" if valid else None,
        "valid data: errors": valid_errors,
        "invalid data: saved as": invalid,
        "invalid data: errors": invalid_errors,
    }
