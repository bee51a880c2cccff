"""The guide's "Testing Patterns for Django ORM": what its assertions check, run on the live
data. (The guide's tests create their own category and supplier; here the dataset's are used.)"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backoffice.models import Category, Product
from backoffice.reports.querylab.registry import example

SECTION = "Testing Patterns"


@example(SECTION, "assertNumQueries(1): select_related().first()")
def select_related_first_one_query():
    """One query: the category and supplier come in the same JOIN, so reading them costs
    nothing more (the query count above is 1)."""
    product = Product.objects.select_related("category", "supplier").first()
    # These shouldn't cause additional queries
    return {
        "product": product.name,
        "category": product.category.name,
        "supplier": product.supplier.name,
    }


@example(SECTION, "assertNumQueries(2): prefetch_related('products')")
def prefetch_two_queries():
    """Two queries whatever the number of categories: one for the categories, one for all their
    products."""
    categories = Category.objects.prefetch_related("products").all()
    return [
        {"category": category.name, "products": len(list(category.products.all()))}
        for category in categories
    ]


@example(SECTION, "Validation errors: empty name, negative price")
def validation_errors():
    """full_clean() reports every field at once; the test asserts that `name` and `price` are
    among them."""
    try:
        product = Product(
            name="",  # Empty name should fail
            price=Decimal("-10.00"),  # Negative price should fail
            category=Category.objects.get(name="Electronics"),
            supplier_id=1,
        )
        product.full_clean()
    except ValidationError as e:
        return e.message_dict
    return {"errors": None}


@example(SECTION, "Database constraints: duplicate SKU", writes=True, errata=("E38",))
def duplicate_sku():
    """The guide's SKU "TEST-001" is not a valid SKU here: this project's CHECK constraint
    wants 2 or 3 capital letters, a dash and 4 to 6 digits, so the FIRST insert already fails.
    With a valid SKU the second insert fails on the unique index, as the guide's test
    expects."""
    results = {}
    attempts = [
        ("first, sku TEST-001", "Unique Product", "TEST-001"),
        ("first, sku TST-0001", "Unique Product", "TST-0001"),
        ("second, same sku TST-0001", "Another Product", "TST-0001"),
    ]
    for label, name, sku in attempts:
        try:
            with transaction.atomic():
                Product.objects.create(
                    name=name,
                    description="Test",
                    price=Decimal("50.00"),
                    category_id=1,
                    supplier_id=1,
                    sku=sku,
                )
            results[label] = "saved"
        except IntegrityError as exc:
            results[label] = f"IntegrityError: {str(exc).splitlines()[0]}"
    return results


@example(
    SECTION,
    "Custom manager methods: active() and by_category()",
    writes=True,
    errata=("E21", "E38"),
)
def custom_manager_methods():
    """The guide's test runs on an empty database and expects 2 Electronics products (the two
    it creates); on the live data the dataset's Electronics products are counted too."""
    active_product = Product.objects.create(
        name="Active Product", price=Decimal("100.00"), is_active=True, category_id=1, supplier_id=1
    )
    inactive_product = Product.objects.create(
        name="Inactive Product",
        price=Decimal("50.00"),
        is_active=False,
        category_id=1,
        supplier_id=1,
    )
    active_products = Product.objects.active()
    electronics = Product.objects.by_category("Electronics")
    return {
        "active product in active()": active_products.filter(pk=active_product.pk).exists(),
        "inactive product in active()": active_products.filter(pk=inactive_product.pk).exists(),
        "by_category('Electronics').count()": electronics.count(),
    }
