"""The constraint helpers give each constraint its own name as the error code, which
``ConstraintErrorsOnFieldsMixin`` maps to the field the error is shown on."""

from django.db.models import Q

from backoffice.models import Product
from backoffice.models.base import check_constraint, unique_constraint


def test_check_constraint_is_coded_by_its_name():
    constraint = check_constraint("price_positive", Q(price__gt=0), "Too cheap.")
    assert constraint.name == constraint.violation_error_code == "price_positive"
    assert constraint.violation_error_message == "Too cheap."
    assert constraint.condition == Q(price__gt=0)


def test_unique_constraint_is_coded_by_its_name():
    constraint = unique_constraint("one_name", ["name", "supplier"], "Taken.")
    assert constraint.name == constraint.violation_error_code == "one_name"
    assert constraint.fields == ("name", "supplier")
    assert constraint.violation_error_message == "Taken."


def test_every_model_constraint_maps_to_a_field():
    codes = {c.violation_error_code for c in Product._meta.constraints}
    assert codes == set(Product.constraint_error_fields)
