"""Kept figures at an import's size: ``figures.refresh`` of N orders (and their share of the
products and customers), the ORM path of small sets against the set-based path.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_big \\
        .venv/bin/python benchmarks/figures_refresh.py --orders 10000 100000

Needs a generated shop in that database (``manage.py generate_shop --orders 200000 --seed 1
--until 2026-12-01``). Each run refreshes the first N orders by id, the first N/5 products, and
the customers of those orders (all of them from 40,000 orders on), with every category, supplier
and review they reach and the days of those orders, in a transaction rolled back afterwards.
"As kept": the figures are right already (a repeat refresh); "all wrong": every kept product,
order and customer figure of the ids is spoiled first (outside the time), so every row is
rewritten, as after an import that added lines to them all.
"""

import argparse
import time

from _common import setup_django, table


def run(orders: int, spoiled: bool, set_based: bool) -> float:
    from django.db import transaction

    from backoffice.figures import keeping
    from backoffice.models import CustomerFigures, Order, OrderFigures, Product, ProductFigures

    order_ids = list(Order.objects.order_by("pk").values_list("pk", flat=True)[:orders])
    product_ids = list(Product.objects.order_by("pk").values_list("pk", flat=True)[: orders // 5])
    customers = Order.objects.filter(pk__lte=order_ids[-1]).values_list("customer_id", flat=True)
    customer_ids = list(customers.distinct().order_by())
    threshold = keeping.SET_BASED_FROM
    keeping.SET_BASED_FROM = threshold if set_based else 10**12
    try:
        with transaction.atomic():
            if spoiled:
                ProductFigures.objects.filter(pk__lte=product_ids[-1]).update(units_sold=10**9)
                OrderFigures.objects.filter(pk__lte=order_ids[-1]).update(item_count=10**6)
                CustomerFigures.objects.filter(customer__in=customers).update(order_count=10**6)
            start = time.perf_counter()
            keeping.refresh(products=product_ids, orders=order_ids, customers=customer_ids)
            elapsed = time.perf_counter() - start
            transaction.set_rollback(True)
    finally:
        keeping.SET_BASED_FROM = threshold
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    setup_django()
    rows = []
    for orders in args.orders:
        for spoiled in (False, True):
            before = run(orders, spoiled, set_based=False)
            after = run(orders, spoiled, set_based=True)
            state = "all wrong" if spoiled else "as kept"
            rows.append([f"{orders:,}", state, f"{before:.1f} s", f"{after:.1f} s"])
    print(table(["orders", "figures", "ORM path", "set-based"], rows))


if __name__ == "__main__":
    main()
