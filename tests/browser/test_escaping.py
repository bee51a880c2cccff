"""Hostile staff text in Chromium: no page runs it, and no page breaks the CSP (issue 9, point 1).

One logged-in superuser goes once over every admin list, change, history and delete page, the
dashboard, every report, Query Lab, the order list's product filter, an import preview and
the "Transfer stock from the selected product" action on a product whose name is a script (the
attack that made an editor superuser). On every page: no dialog opened, ``window.__xss`` never
set, no injected ``[data-xss]`` element, no ``javascript:`` address, and no Content-Security-
Policy violation (so every page works under the policy, our own scripts included).
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from backoffice.models import Product
from backoffice.reports.querylab.registry import entries_by_section
from backoffice.reports.registry import REPORTS
from tests.hostile import hostile_shop, img, model_pages, script

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + event.blockedURI);
});
"""

INSPECT = """() => ({
  xss: window.__xss === undefined ? null : String(window.__xss),
  violations: window.__cspViolations || [],
  injected: Array.from(document.querySelectorAll("[data-xss]")).map(e => e.outerHTML.slice(0, 120)),
  jsLinks: Array.from(document.querySelectorAll("[href], [src], [action], [formaction]"))
    .map(e => e.getAttribute("href") || e.getAttribute("src") || e.getAttribute("action")
              || e.getAttribute("formaction") || "")
    .filter(v => v.trim().toLowerCase().startsWith("javascript:")),
})"""


class Watch:
    """What the page did that it must not: dialogs and CSP reports on the console."""

    def __init__(self, page):
        self.dialogs, self.console = [], []
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)


def check(page, watch, where: str, problems: list) -> None:
    seen = page.evaluate(INSPECT)
    found = {
        "dialogs": watch.dialogs[:],
        "window.__xss": seen["xss"],
        "injected elements": seen["injected"],
        "javascript: addresses": seen["jsLinks"],
        "CSP violations": seen["violations"] + watch.console,
    }
    found = {name: value for name, value in found.items() if value}
    if found:
        problems.append(f"{where}: {found}")
    watch.dialogs.clear()
    watch.console.clear()


def test_hostile_text_never_runs_and_every_page_keeps_the_policy(
    logged_in_page, live_server, tmp_path
):
    page = logged_in_page
    page.context.add_init_script(RECORD_VIOLATIONS)
    watch = Watch(page)
    boss = get_user_model().objects.get(username="boss")
    shop = hostile_shop(superuser=boss)
    problems: list[str] = []

    def visit(path: str) -> None:
        page.goto(live_server.url + path)
        check(page, watch, path, problems)

    # The exact reproduction: the transfer action on a product named with a script.
    product = shop["product"]
    visit(reverse("admin:backoffice_product_changelist"))
    page.check(f"input[name=_selected_action][value='{product.pk}']")
    page.select_option("select[name=action]", "transfer_stock")
    with page.expect_navigation():
        page.click("button[name=index]")
    assert "has 50 in stock." in page.locator(".field-quantity .help").inner_text()
    check(page, watch, "transfer stock page", problems)
    page.select_option("#id_to_product", str(shop["target"].pk))
    page.fill("#id_quantity", "3")
    with page.expect_navigation():
        page.click("input[type=submit][value='Move the units']")
    assert "3 units moved" in page.locator(".messagelist").inner_text()
    check(page, watch, "after the transfer", problems)
    assert Product.objects.get(pk=product.pk).stock_quantity == 47

    # Every model page, the dashboard, the reports, Query Lab (one entry per section).
    paths = model_pages(boss)
    paths.append(reverse("admin:backoffice_order_changelist") + f"?product={product.pk}")
    paths += [reverse("admin:reports"), reverse("admin:querylab")]
    paths += [reverse("admin:report", args=[slug]) for slug in REPORTS]
    paths += [
        reverse("admin:querylab_entry", args=[entries[0].slug])
        for _section, entries in entries_by_section()
    ]
    for path in paths:
        visit(path)

    # The order list's product filter: the autocomplete lists the hostile names (as text), and
    # choosing one goes to the filtered list (backoffice/js/autocomplete_filter.js).
    target = shop["target"]
    visit(reverse("admin:backoffice_order_changelist"))
    page.locator(".autocomplete-filter .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("target product")
    option = page.locator(".select2-results__option", has_text="target product").first
    option.wait_for()
    check(page, watch, "product filter's autocomplete", problems)
    with page.expect_navigation():
        option.click()
    assert f"product={target.pk}" in page.url
    check(page, watch, "order list filtered by product", problems)

    # An import preview whose values are attacks.
    upload = tmp_path / "categories.csv"
    quoted = [f'"{value.replace(chr(34), chr(34) * 2)}"' for value in (script("i"), img("i"))]
    upload.write_text(f"id,name,description\n{shop['category'].pk},{quoted[0]},{quoted[1]}\n")
    visit(reverse("admin:backoffice_category_import"))
    page.set_input_files("input[name=import_file]", str(upload))
    page.select_option("select[name=format]", label="csv")
    with page.expect_navigation():
        page.click("#import-form input[type=submit]")
    page.wait_for_selector("#import-changes")
    check(page, watch, "import preview", problems)

    assert not problems, "\n".join(problems)
