"""The kinds of kept figures: their table, the rows they belong to, their definitions."""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class FigureKind:
    name: str  # "products", "orders", …: the keyword ``touched()`` takes
    figures_model_name: str
    source_model_name: str
    definitions_path: str  # the function in backoffice.querysets that computes them

    @property
    def model(self):
        return apps.get_model("backoffice", self.figures_model_name)

    @property
    def source_model(self):
        return apps.get_model("backoffice", self.source_model_name)

    def definitions(self) -> dict:
        """Figure name → expression computing it from the source rows (``OuterRef("pk")``)."""
        module_name, function_name = self.definitions_path.rsplit(".", 1)
        module = __import__(module_name, fromlist=[function_name])
        return getattr(module, function_name)()


PRODUCTS = FigureKind(
    "products", "ProductFigures", "Product", "backoffice.querysets.catalog.product_figures"
)
ORDERS = FigureKind("orders", "OrderFigures", "Order", "backoffice.querysets.sales.order_figures")
CUSTOMERS = FigureKind(
    "customers", "CustomerFigures", "Customer", "backoffice.querysets.sales.customer_figures"
)
# Add up their products' kept figures: recomputed after the products'.
CATEGORIES = FigureKind(
    "categories", "CategoryFigures", "Category", "backoffice.querysets.catalog.category_figures"
)
SUPPLIERS = FigureKind(
    "suppliers", "SupplierFigures", "Supplier", "backoffice.querysets.catalog.supplier_figures"
)
# Whether its customer bought its product: follows the orders and lines of both.
REVIEWS = FigureKind(
    "reviews", "ReviewFigures", "Review", "backoffice.querysets.catalog.review_kept_figures"
)
# Recomputed in this order, each in id order: every writer takes the figure locks in one order.
KINDS = (PRODUCTS, ORDERS, CUSTOMERS, CATEGORIES, SUPPLIERS, REVIEWS)
