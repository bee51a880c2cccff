"""Transaction management: the guide's "Best Practices: Transaction Management" (atomic,
savepoints) and "Raw SQL and Custom Queries: Database Transactions for Data Integrity" (the
select_for_update inventory transfer).

Every entry here writes; like all lab entries they run inside a transaction that is rolled back.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.transaction import TransactionManagementError

from backoffice.models import (
    Category,
    Customer,
    InventoryLog,
    InventoryReason,
    Order,
    OrderItem,
    Product,
)
from backoffice.reports.querylab.registry import comparison, example

SECTION = "Transaction Management"


@example(SECTION, "@transaction.atomic: create an order with its items", writes=True)
def create_order_with_items_example():
    """The customer and items are the lab's choice (the guide shows only the function):
    customer 1 orders one MacBook Pro and two Nike T-Shirts at their current prices."""

    @transaction.atomic
    def create_order_with_items(customer, items_data):
        # Calculate total
        total = sum(item["price"] * item["quantity"] for item in items_data)

        # Create order
        order = Order.objects.create(customer=customer, total_amount=total)

        # Create order items
        order_items = [
            OrderItem(
                order=order,
                product_id=item["product_id"],
                quantity=item["quantity"],
                price=item["price"],
            )
            for item in items_data
        ]
        OrderItem.objects.bulk_create(order_items)

        return order

    customer = Customer.objects.get(id=1)
    items_data = [
        {"product_id": product.id, "quantity": quantity, "price": product.price}
        for product, quantity in [
            (Product.objects.get(name="MacBook Pro"), 1),
            (Product.objects.get(name="Nike T-Shirt"), 2),
        ]
    ]
    order = create_order_with_items(customer, items_data)
    return {
        "order": order.id,
        "status": order.status,
        "total_amount": order.total_amount,
        "items": [f"{item.product.name} x {item.quantity}" for item in order.items.all()],
    }


# --- Savepoints --------------------------------------------------------------------------------


def savepoint_python_error():
    def risky_operation():
        Category.objects.create(name="Risky category")
        raise ValueError("something went wrong after the write")

    def complex_operation():
        with transaction.atomic():
            # Some operations
            Category.objects.create(name="Safe category")

            savepoint = transaction.savepoint()
            try:
                # Risky operations
                risky_operation()
                transaction.savepoint_commit(savepoint)
            except Exception as exc:
                transaction.savepoint_rollback(savepoint)
                # Handle error
                return {
                    "error": str(exc),
                    "categories kept": list(
                        Category.objects.filter(
                            name__in=["Safe category", "Risky category"]
                        ).values_list("name", flat=True)
                    ),
                }

    return complex_operation()


def savepoint_database_error():
    def risky_operation():
        # breaks the "price must be more than zero" CHECK constraint
        Product.objects.create(
            name="Free product", price=Decimal("0.00"), category_id=1, supplier_id=1
        )

    def complex_operation():
        with transaction.atomic():
            # Some operations
            Category.objects.create(name="Safe category")

            savepoint = transaction.savepoint()
            try:
                # Risky operations
                risky_operation()
                transaction.savepoint_commit(savepoint)
            except Exception:
                transaction.savepoint_rollback(savepoint)
                # Handle error
                return {"categories kept": Category.objects.filter(name="Safe category").count()}

    try:
        return complex_operation()
    except TransactionManagementError as exc:
        return {"outcome": f"TransactionManagementError: {exc}", "categories kept": "none"}


def savepoint_nested_atomic():
    def risky_operation():
        # breaks the "price must be more than zero" CHECK constraint
        Product.objects.create(
            name="Free product", price=Decimal("0.00"), category_id=1, supplier_id=1
        )

    def complex_operation():
        with transaction.atomic():
            # Some operations
            Category.objects.create(name="Safe category")

            try:
                with transaction.atomic():  # a savepoint, rolled back if the block fails
                    risky_operation()
            except IntegrityError as exc:
                # Handle error
                return {
                    "error": type(exc).__name__,
                    "categories kept": list(
                        Category.objects.filter(name="Safe category").values_list("name", flat=True)
                    ),
                }

    return complex_operation()


comparison(
    SECTION,
    "Savepoints: manual savepoint vs nested atomic()",
    slug="savepoints",
    errata=("E36",),
    writes=True,
    variants=[
        ("As printed, the risky part raises a Python error", savepoint_python_error),
        ("As printed, the risky part breaks a database constraint", savepoint_database_error),
        ("Corrected: nested atomic()", savepoint_nested_atomic),
    ],
    note=(
        "The guide's manual savepoint works when the risky part fails in Python: the rollback "
        "to the savepoint undoes the risky write and keeps the safe one. When it fails in the "
        "database (here a CHECK constraint), Django has already marked the atomic block as "
        "broken, so even ROLLBACK TO SAVEPOINT is refused with TransactionManagementError and "
        "the whole block is lost. A nested transaction.atomic() is a savepoint that Django "
        "rolls back cleanly on any exception: use it around the risky part."
    ),
)


# --- select_for_update: the inventory transfer -------------------------------------------------


def transfer_inventory_as_printed():
    @transaction.atomic
    def transfer_inventory(from_product_id, to_product_id, quantity):
        """Atomic inventory transfer between products"""
        try:
            # Lock products for update to prevent race conditions
            from_product = Product.objects.select_for_update().get(id=from_product_id)
            to_product = Product.objects.select_for_update().get(id=to_product_id)

            if from_product.stock_quantity < quantity:
                raise ValueError(f"Insufficient stock in {from_product.name}")

            # Transfer inventory atomically
            from_product.stock_quantity -= quantity
            to_product.stock_quantity += quantity

            from_product.save()
            to_product.save()

            # Log the transfer
            InventoryLog.objects.create(
                action="transfer",
                from_product=from_product,
                to_product=to_product,
                quantity=quantity,
                notes=f"Transferred {quantity} units from {from_product.name} to {to_product.name}",
            )

            return {
                "success": True,
                "from_product": {
                    "id": from_product.id,
                    "name": from_product.name,
                    "new_stock": from_product.stock_quantity,
                },
                "to_product": {
                    "id": to_product.id,
                    "name": to_product.name,
                    "new_stock": to_product.stock_quantity,
                },
            }

        except Exception as e:
            # Transaction automatically rolls back on exception
            return {"success": False, "error": str(e)}

    result = transfer_inventory(1, 2, 5)  # Transfer 5 units from product 1 to 2
    stock_now = dict(Product.objects.filter(id__in=[1, 2]).values_list("id", "stock_quantity"))
    return {**result, "stock of products 1 and 2 afterwards": stock_now}


def transfer_inventory_corrected():
    def transfer_inventory(from_product_id, to_product_id, quantity):
        """Atomic inventory transfer between products"""
        try:
            with transaction.atomic():
                # Lock both rows, always in id order, so two opposite transfers can't deadlock
                locked = {
                    product.id: product
                    for product in Product.objects.select_for_update()
                    .filter(id__in=[from_product_id, to_product_id])
                    .order_by("id")
                }
                from_product, to_product = locked[from_product_id], locked[to_product_id]

                if from_product.stock_quantity < quantity:
                    raise ValueError(f"Insufficient stock in {from_product.name}")

                from_product.stock_quantity -= quantity
                to_product.stock_quantity += quantity
                from_product.save(update_fields=["stock_quantity", "updated_at"])
                to_product.save(update_fields=["stock_quantity", "updated_at"])

                note = f"Transferred {quantity} units from {from_product.name} to {to_product.name}"
                InventoryLog.objects.bulk_create(
                    [
                        InventoryLog(
                            product=from_product,
                            change=-quantity,
                            stock_after=from_product.stock_quantity,
                            reason=InventoryReason.TRANSFER_OUT,
                            note=note,
                        ),
                        InventoryLog(
                            product=to_product,
                            change=quantity,
                            stock_after=to_product.stock_quantity,
                            reason=InventoryReason.TRANSFER_IN,
                            note=note,
                        ),
                    ]
                )
        except (KeyError, ValueError) as e:
            # the atomic block has been left by the exception: everything in it is undone
            return {"success": False, "error": str(e)}

        return {
            "success": True,
            "from_product": {
                "id": from_product.id,
                "name": from_product.name,
                "new_stock": from_product.stock_quantity,
            },
            "to_product": {
                "id": to_product.id,
                "name": to_product.name,
                "new_stock": to_product.stock_quantity,
            },
        }

    result = transfer_inventory(1, 2, 5)  # Transfer 5 units from product 1 to 2
    stock_now = dict(Product.objects.filter(id__in=[1, 2]).values_list("id", "stock_quantity"))
    return {**result, "stock of products 1 and 2 afterwards": stock_now}


comparison(
    SECTION,
    "select_for_update(): transfer_inventory — as printed vs corrected",
    slug="transfer-inventory",
    errata=("E35",),
    writes=True,
    variants=[
        ("As printed", transfer_inventory_as_printed),
        ("Corrected", transfer_inventory_corrected),
    ],
    note=(
        "As printed, the log call uses fields the guide never defines (action, from_product, "
        "to_product, quantity, notes); on this project's InventoryLog it raises TypeError "
        "AFTER both stock updates were saved. The try/except inside @transaction.atomic "
        "catches it, so the function returns success: False while the stock moved anyway: the "
        'comment "Transaction automatically rolls back on exception" is only true when the '
        "exception leaves the atomic block. The corrected version writes one log row per "
        "product with this project's fields (reason transfer_out / transfer_in), catches "
        "errors outside the atomic block, and locks the two rows in id order. "
        "select_for_update() is ignored on SQLite, which locks the whole database on write. "
        "(The back office's own transfer is backoffice.services.inventory.stock_transfer.)"
    ),
)
