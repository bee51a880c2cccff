from backoffice.models.catalog import Category, Product, ProductMeta, Supplier, Tag
from backoffice.models.customers import Customer
from backoffice.models.inventory import InventoryLog, InventoryReason
from backoffice.models.reviews import Review
from backoffice.models.sales import Order, OrderItem, OrderStatus

__all__ = [
    "Category",
    "Customer",
    "InventoryLog",
    "InventoryReason",
    "Order",
    "OrderItem",
    "OrderStatus",
    "Product",
    "ProductMeta",
    "Review",
    "Supplier",
    "Tag",
]
