from backoffice.models.catalog import Category, Product, ProductMeta, Supplier, Tag
from backoffice.models.customers import Customer
from backoffice.models.imports import ImportRecord
from backoffice.models.inventory import InventoryLog, InventoryReason
from backoffice.models.reviews import Review
from backoffice.models.sales import Order, OrderItem, OrderStatus, OrderStatusChange

__all__ = [
    "Category",
    "Customer",
    "ImportRecord",
    "InventoryLog",
    "InventoryReason",
    "Order",
    "OrderItem",
    "OrderStatus",
    "OrderStatusChange",
    "Product",
    "ProductMeta",
    "Review",
    "Supplier",
    "Tag",
]
