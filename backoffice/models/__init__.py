from backoffice.models.catalog import Category, Product, ProductMeta, Supplier, Tag
from backoffice.models.customers import Customer
from backoffice.models.figures import (
    CategoryFigures,
    CustomerFigures,
    DayCategorySales,
    DaySales,
    OrderFigures,
    ProductFigures,
    ReviewFigures,
    SupplierFigures,
)
from backoffice.models.imports import ImportRecord
from backoffice.models.inventory import InventoryLog, InventoryReason
from backoffice.models.jobs import DataJob
from backoffice.models.reviews import Review
from backoffice.models.sales import Order, OrderItem, OrderStatus, OrderStatusChange

__all__ = [
    "Category",
    "CategoryFigures",
    "Customer",
    "CustomerFigures",
    "DayCategorySales",
    "DataJob",
    "DaySales",
    "ImportRecord",
    "InventoryLog",
    "InventoryReason",
    "Order",
    "OrderFigures",
    "OrderItem",
    "OrderStatus",
    "OrderStatusChange",
    "Product",
    "ProductFigures",
    "ProductMeta",
    "Review",
    "ReviewFigures",
    "Supplier",
    "SupplierFigures",
    "Tag",
]
