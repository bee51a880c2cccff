"""What a report, a Query Lab entry or a dashboard panel needs beyond the page's own permission.

"View reports" and "use Query Lab" let staff see figures; output that names people (customers'
names, e-mails, phones, addresses; user accounts) also needs the permission to view those
people in the admin, so a report is never a way around a list that answers 403. Each report and
lab entry declares what it needs in one place (``requires=``); the views enforce it.
"""

from django.contrib.auth.models import Permission
from django.db.models import Q

VIEW_CUSTOMER = "backoffice.view_customer"
VIEW_USER = "auth.view_user"
# customers' names, e-mails, phones and addresses
CUSTOMER_DATA = (VIEW_CUSTOMER,)
# user accounts themselves (the lab's examples that query ``User``), and their customer profile
USER_DATA = (VIEW_CUSTOMER, VIEW_USER)


def missing_permissions(user, requires: tuple[str, ...]) -> list[str]:
    return [permission for permission in requires if not user.has_perm(permission)]


def permission_names(permissions) -> dict[str, str]:
    """``"app.codename"`` → the permission's name as the admin shows it ("Can view customer")."""
    wanted = {tuple(p.split(".", 1)) for p in permissions}
    if not wanted:
        return {}
    condition = Q()
    for app_label, codename in wanted:
        condition |= Q(content_type__app_label=app_label, codename=codename)
    found = {
        f"{app_label}.{codename}": name
        for app_label, codename, name in Permission.objects.filter(condition).values_list(
            "content_type__app_label", "codename", "name"
        )
    }
    return {p: found.get(p, p) for p in permissions}


def unavailable_reason(user, requires: tuple[str, ...], names: dict[str, str] | None = None) -> str:
    """Empty when the user may see the output; otherwise which permissions are missing."""
    missing = missing_permissions(user, requires)
    if not missing:
        return ""
    names = names if names is not None else permission_names(missing)
    listed = ", ".join(f"“{names.get(p, p)}” ({p})" for p in missing)
    return f"Shows personal data: needs the permission {listed}."
