"""The catalog: categories, suppliers, products, their tags and free-form metadata."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from backoffice.models.base import (
    ConstraintErrorsOnFieldsMixin,
    EditVersioned,
    check_constraint,
    external_ref_field,
    external_ref_indexes,
    external_ref_unique,
    unique_constraint,
)
from backoffice.models.indexes import SearchIndex
from backoffice.querysets import ActiveProductManager, ProductQuerySet
from backoffice.querysets.catalog import CategoryQuerySet, SupplierQuerySet, TagQuerySet

# The guide's SKU rule: a prefix per category. Categories without an entry accept any prefix.
SKU_PREFIX_BY_CATEGORY = {
    "Electronics": "EL-",
    "Clothing": "CL-",
    "Books": "BK-",
    "Sports": "SP-",
}
# The guide's "luxury" rule: items in these categories cost at least this much.
MINIMUM_PRICE_BY_CATEGORY = {
    "Electronics": Decimal("100.00"),
    "Premium": Decimal("100.00"),
}


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    # Not auto_now_add: imported rows keep the timestamp they were exported with.
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        default_permissions = ("add", "change", "delete", "view", "export")
        verbose_name_plural = "categories"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Supplier(ConstraintErrorsOnFieldsMixin, models.Model):
    name = models.CharField(max_length=100, unique=True)
    email = models.EmailField()
    phone = models.CharField(max_length=15)
    address = models.TextField()
    rating = models.FloatField(
        validators=[
            MinValueValidator(1.0, "A supplier rating is at least 1.0."),
            MaxValueValidator(5.0, "A supplier rating is at most 5.0."),
        ]
    )
    external_ref = external_ref_field()

    objects = SupplierQuerySet.as_manager()

    constraint_error_fields = {
        "supplier_rating_range": "rating",
        "supplier_external_ref_unique": "external_ref",
    }

    class Meta:
        default_permissions = ("add", "change", "delete", "view", "export")
        ordering = ["name"]
        indexes = external_ref_indexes("supplier")
        constraints = [
            external_ref_unique("supplier"),
            check_constraint(
                "supplier_rating_range",
                Q(rating__gte=1.0, rating__lte=5.0),
                "A supplier rating is between 1.0 and 5.0.",
            ),
        ]

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        default_permissions = ("add", "change", "delete", "view", "export")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def delete(self, *args, **kwargs):
        """Its links go with it, without signals: its products' tag counts are reported."""
        from backoffice.figures import touched

        products = set(self.products.values_list("pk", flat=True))
        result = super().delete(*args, **kwargs)
        touched(products=products)
        return result


SKU_PATTERN = r"^[A-Z]{2,3}-[0-9]{4,6}$"
sku_format_validator = RegexValidator(
    regex=SKU_PATTERN,
    message="A SKU looks like ABC-1234: 2 or 3 capital letters, a dash and 4 to 6 digits.",
)


class Product(ConstraintErrorsOnFieldsMixin, EditVersioned, models.Model):
    name = models.CharField(max_length=200)
    sku = models.CharField(
        "SKU",
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        validators=[sku_format_validator],
        help_text="Optional. Format ABC-1234; the prefix follows the category (EL-, CL-, BK-, SP-).",
    )
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), "The price must be more than zero.")],
    )
    cost = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"), "The cost cannot be negative.")],
        help_text="Optional. What the shop pays; the price must be higher.",
    )
    stock_quantity = models.IntegerField(
        "stock",
        default=0,
        validators=[MinValueValidator(0, "Stock cannot be negative.")],
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="products")
    # Declared here rather than on Tag (as the guide does) so that the product form gets the
    # two-pane selector; product.tags and tag.products work exactly as in the guide.
    tags = models.ManyToManyField(Tag, related_name="products", blank=True)
    is_active = models.BooleanField("active", default=True)
    external_ref = external_ref_field()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()
    active_objects = ActiveProductManager()

    constraint_error_fields = {
        "product_price_positive": "price",
        "product_stock_not_negative": "stock_quantity",
        "product_price_above_cost": "price",
        "unique_product_per_supplier": "name",
        "product_sku_format": "sku",
        "product_external_ref_unique": "external_ref",
    }

    class Meta:
        default_permissions = ("add", "change", "delete", "view", "export")
        ordering = ["-created_at"]
        base_manager_name = "objects"
        default_manager_name = "objects"
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["price"]),
            models.Index(fields=["category", "price"]),
            models.Index(fields=["-created_at"]),
            # the admin's search: "name", "=sku", "description" (search.py, models/indexes.py)
            SearchIndex.on_upper("name", name="product_name_search"),
            SearchIndex.on_upper("sku", name="product_sku_search"),
            SearchIndex.on_upper("description", name="product_description_search"),
            *external_ref_indexes("product"),
        ]
        constraints = [
            check_constraint(
                "product_price_positive", Q(price__gt=0), "The price must be more than zero."
            ),
            check_constraint(
                "product_stock_not_negative", Q(stock_quantity__gte=0), "Stock cannot be negative."
            ),
            check_constraint(
                "product_price_above_cost",
                Q(cost__isnull=True) | Q(price__gt=F("cost")),
                "The price must be higher than the cost.",
            ),
            check_constraint(
                "product_sku_format",
                Q(sku__isnull=True) | Q(sku__regex=SKU_PATTERN),
                sku_format_validator.message,
            ),
            unique_constraint(
                "unique_product_per_supplier",
                ["name", "supplier"],
                "This supplier already has a product with this name.",
            ),
            external_ref_unique("product"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """The guide's business rules; every broken rule is reported, none hides another."""
        if self.sku == "":
            self.sku = None  # blank means "no SKU", and NULLs don't collide in the unique index
        errors: dict[str, list[str]] = {}
        if self.price is not None and self.cost is not None and self.price <= self.cost:
            errors.setdefault("price", []).append(
                f"The price must be higher than the cost ({self.cost})."
            )
        category = self.category if self.category_id else None
        if category is not None:
            minimum = MINIMUM_PRICE_BY_CATEGORY.get(category.name)
            if minimum is not None and self.price is not None and self.price < minimum:
                errors.setdefault("price", []).append(
                    f"{category.name} items must cost at least ${minimum:.0f}."
                )
            prefix = SKU_PREFIX_BY_CATEGORY.get(category.name)
            if self.sku and prefix and not self.sku.startswith(prefix):
                errors.setdefault("sku", []).append(
                    f"The SKU must start with {prefix} for {category.name}."
                )
        if errors:
            raise ValidationError(errors)


class ProductMeta(models.Model):
    """Free-form attributes (colour, specs, ...) that don't deserve a column yet."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        default_permissions = ("add", "change", "delete", "view", "export")
        verbose_name = "product metadata"
        verbose_name_plural = "product metadata"

    def __str__(self):
        return f"Metadata of {self.product}"

    def clean(self):
        if not isinstance(self.metadata, dict):
            raise ValidationError(
                {"metadata": 'Metadata must be a JSON object, like {"color": "red"}.'}
            )
