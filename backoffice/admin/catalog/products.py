"""The product admin: the catalog editor's main tool.

Every figure in the list comes from ``Product.objects.with_catalog_stats()`` (one query for the
page whatever its size); every write goes through a service. The other catalog lists
(categories, suppliers, tags) have a module each; actions in ``actions`` and ``stock_actions``;
filters in ``filters`` (all in this package). The export with the list's figures is
``backoffice.resources.ProductFiguresResource``.
"""

from django import forms
from django.contrib import admin
from django.db.models import Case, F, Value, When
from django.utils.html import format_html, format_html_join

from backoffice.admin.catalog.actions import PRICE_AND_TAG_ACTIONS
from backoffice.admin.catalog.filters import (
    CategoryAutocompleteFilter,
    HasReviewsFilter,
    HighRatedReviewFilter,
    MetadataColorFilter,
    MetadataFilter,
    PriceBandFilter,
    StockStatusFilter,
    SupplierAutocompleteFilter,
    SupplierRatedFilter,
    TagAutocompleteFilter,
    TagCountFilter,
)
from backoffice.admin.catalog.stock_actions import STOCK_ACTIONS
from backoffice.admin.common.autocomplete_filters import autocomplete_filter_media
from backoffice.admin.common.base import BackofficeAdmin
from backoffice.admin.common.changelist import PageFirstChangeList
from backoffice.admin.common.columns import annotation_column, money
from backoffice.admin.common.edits import SeenValuesForm, StaleEditAdminMixin, seen_version_of
from backoffice.admin.common.filters import CheckedDateRangeFilter, DecimalRangeFilter
from backoffice.admin.common.messages import count_of
from backoffice.admin.common.readonly import ReadOnlyPermissionsMixin
from backoffice.admin.common.show_query import ShowQueryMixin
from backoffice.models import Product, ProductMeta, Review
from backoffice.resources import ProductMetaResource, ProductResource
from backoffice.services.edits import edit_version_claim
from backoffice.services.inventory import stock_set


class ProductForm(SeenValuesForm):
    """The change page: remembers the values and version the editor saw (``admin/common/edits.py``)."""


class ProductChangeListForm(SeenValuesForm):
    """The list's editable columns, narrow enough for every figure column to fit beside them;
    each row remembers what the editor saw, like the change page."""

    class Meta:
        widgets = {
            "price": forms.NumberInput(attrs={"step": "0.01", "style": "width: 7em"}),
            "stock_quantity": forms.NumberInput(attrs={"style": "width: 4.5em"}),
        }


class ProductMetaInline(admin.StackedInline):
    model = ProductMeta
    fields = ["metadata"]
    max_num = 1
    extra = 0
    verbose_name_plural = 'metadata (free-form JSON, e.g. {"color": "red"})'


class ReviewInline(ReadOnlyPermissionsMixin, admin.TabularInline):
    """The product's reviews, read-only: reviews are the customers' words, edited elsewhere."""

    model = Review
    fields = ["customer", "rating", "comment_text", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        top_first = Case(When(rating__gte=4, then=Value(0)), default=Value(1))
        return (
            super()
            .get_queryset(request)
            .select_related("customer__user")
            .order_by(top_first, "-created_at", "-pk")
        )

    @admin.display(description="comment")
    def comment_text(self, obj):
        return obj.comment_shown  # NO_COMMENT for a rating alone


# ``?edit=1``: the list's editable columns (price, stock, on sale) on the page, as the "Edit
# this page" link opens them. Not a filter: the list's own links keep it while staff page on.
EDIT_VAR = "edit"


def editing_requested(request) -> bool:
    """The list opened for editing (``?edit=1``), or its inputs saved."""
    return request.GET.get(EDIT_VAR) == "1" or (
        request.method == "POST" and "_save" in request.POST
    )


class ProductChangeList(PageFirstChangeList):
    """The product list reads by default; its inputs come with ``?edit=1`` (or a save).

    Fifty rows of inputs (a price, a stock and an on-sale box, each with the value the editor
    saw) cost more than the rest of the page, and most visits only read: Shopify and Saleor
    list products read-only and edit in a bulk editor. Here the same list becomes the editor."""

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.editing = editing_requested(request)
        if not self.editing:
            self.list_editable = ()

    def get_filters_params(self, params=None):
        params = super().get_filters_params(params)
        params.pop(EDIT_VAR, None)
        return params

    def edit_url(self) -> str:
        return self.get_query_string({EDIT_VAR: "1"})

    def done_editing_url(self) -> str:
        return self.get_query_string(remove=[EDIT_VAR])


@admin.register(Product)
class ProductAdmin(ShowQueryMixin, StaleEditAdminMixin, BackofficeAdmin):
    resource_classes = [ProductResource]
    form = ProductForm
    # The editing columns (Django checks ``list_editable`` against them); reading, the price and
    # stock cells carry their band and status instead of an input (``get_list_display``).
    list_display = [
        "name",
        "created_at",
        "sku",
        "category",
        "supplier",
        "price",
        "stock_quantity",
        "review_count",
        "avg_rating",
        "units_sold",
        "revenue",
        "tag_names",
        "is_active",
    ]
    list_editable = ["price", "stock_quantity", "is_active"]
    # The totals of the filtered rows (ProductQuerySet.summary); import-export wraps it with
    # its Import/Export buttons (it becomes ``ie_base_change_list_template``).
    change_list_template = "admin/backoffice/product/change_list.html"
    list_select_related = ["category", "supplier"]
    list_filter = [
        CategoryAutocompleteFilter,
        SupplierAutocompleteFilter,
        "is_active",
        TagAutocompleteFilter,
        PriceBandFilter,
        StockStatusFilter,
        HasReviewsFilter,
        HighRatedReviewFilter,
        TagCountFilter,
        SupplierRatedFilter,
        ("created_at", CheckedDateRangeFilter),
        ("price", DecimalRangeFilter),
        MetadataColorFilter,
        MetadataFilter,
    ]
    # "=sku": an exact SKU (Django's search modifier), never a part of one. The name stays a
    # "contains" search: the order page's product autocomplete uses these fields, and staff
    # type "chair" for the Office Chair.
    search_fields = ["name", "=sku", "description", "category__name", "=external_ref"]
    search_help_text = (
        "Words of the name, description or category name, or an exact SKU or external "
        "reference (any case)."
    )
    ordering = ["name", "pk"]
    filter_horizontal = ["tags"]
    inlines = [ProductMetaInline, ReviewInline]
    actions = [*PRICE_AND_TAG_ACTIONS, *STOCK_ACTIONS]
    readonly_fields = ["category_position", "figures", "top_reviews", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "sku", "external_ref", "description", "category", "supplier"]}),
        ("Price and stock", {"fields": ["price", "cost", "stock_quantity", "is_active"]}),
        ("Tags", {"fields": ["tags"]}),
        ("Figures", {"fields": ["figures", "top_reviews", "category_position"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_catalog_stats().with_tag_names()

    @property
    def media(self):
        return super().media + autocomplete_filter_media(
            self.admin_site,
            CategoryAutocompleteFilter,
            SupplierAutocompleteFilter,
            TagAutocompleteFilter,
        )

    def get_autocomplete_queryset(self, request):
        return super().get_queryset(request)  # a product's name: no figures, no tags

    def changelist_view(self, request, extra_context=None):
        """Add the totals of the filtered list (one aggregate query) above the rows: of the
        whole catalogue from the kept category figures, of a filtered or searched list from
        its rows."""
        extra_context = {
            "can_edit_in_list": self.has_change_permission(request),
            **(extra_context or {}),
        }
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if "cl" in context:
            changelist = context["cl"]
            if changelist.has_active_filters or changelist.query:
                shown = Product.objects.filter(pk__in=changelist.queryset.values("pk"))
                context["catalog_summary"] = shown.summary()
            else:
                context["catalog_summary"] = Product.objects.catalogue_summary()
        return response

    def get_changelist(self, request, **kwargs):
        return ProductChangeList

    reading_cells = {"price": "price_and_band", "stock_quantity": "stock_and_status"}

    def get_list_display(self, request):
        """Reading, the price and stock cells say their band and status too (sorted by the
        price and the stock, as those were): two columns fewer to fit the screen and render.
        Editing, they are inputs, at the same positions, so a sort holds across the modes."""
        if editing_requested(request):
            return self.list_display
        return [self.reading_cells.get(column, column) for column in self.list_display]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ProductChangeListForm, **kwargs)

    def get_inlines(self, request, obj):
        """No reviews inline on the add page: a new product has none, and it is read-only."""
        return self.inlines if obj is not None else [ProductMetaInline]

    def get_import_resource_classes(self, request):
        return [ProductResource]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "stock_quantity" in form.base_fields:
            form.base_fields[
                "stock_quantity"
            ].help_text = "Saving a new number records a manual adjustment in the inventory log."
        return form

    def save_model(self, request, obj, form, change):
        """Write only what the editor changed; stock only through ``stock_set`` (logged).

        Used by the change page and by the list's editable columns alike. ``changed_data`` is
        relative to what the editor's page showed (``SeenValuesForm``), so a sale made since
        is not an edit. Field edits are refused if the product's fields were edited since the
        page was opened (``edit_version_claim``); a stock edit is refused if the stock moved
        since (``stock_set(seen=…)``). Either refusal rolls the whole save back and the page
        comes back with the current values (``StaleEditAdminMixin``).
        """
        wanted_stock = obj.stock_quantity
        if change:
            columns = {field.name for field in obj._meta.concrete_fields}
            edited = [n for n in form.changed_data if n in columns and n != "stock_quantity"]
            if edited or "tags" in form.changed_data:
                obj.edit_version = edit_version_claim(
                    model=Product, pk=obj.pk, seen=seen_version_of(form)
                )
            if edited:
                obj.save(update_fields=[*edited, "updated_at"])
            stock_edited = "stock_quantity" in form.changed_data
        else:
            obj.stock_quantity = 0
            obj.save()
            stock_edited = wanted_stock != 0
        if stock_edited:
            stock_set(
                product_id=obj.pk,
                quantity=wanted_stock,
                note="Opening stock." if not change else "Edited in the admin.",
                user=request.user,
                seen=form.fields["stock_quantity"].to_python(form.seen_value("stock_quantity"))
                if change
                else None,
            )
            obj.stock_quantity = wanted_stock

    # --- Columns: each named like its annotation and sortable by it --------------------------

    # Related figures share a cell (a list of eighteen columns neither fit the screen nor
    # rendered in time): the rating with its range, the tags sorted by their number, the price
    # with its band and the stock with its status (reading).
    figures_in_cells = {
        "min_rating": "avg_rating",
        "max_rating": "avg_rating",
        "tag_count": "tag_names",
        "price_band": "price_and_band",
        "stock_status": "stock_and_status",
    }

    @admin.display(description="price (band)", ordering="price")
    def price_and_band(self, obj):
        return f"{money(obj.price)} ({obj.price_band.lower()})"

    @admin.display(description="stock (status)", ordering="stock_quantity")
    def stock_and_status(self, obj):
        # Sorted by the stock itself: the labels' alphabetical order would mean nothing.
        return f"{obj.stock_quantity} ({obj.stock_status.lower()})"

    review_count = annotation_column("review_count", "reviews")

    @admin.display(
        description="rating (lowest–highest)",
        ordering=F("avg_rating").asc(nulls_first=True),
        empty_value="no reviews",
    )
    def avg_rating(self, obj):
        """The average to two decimals, the lowest and highest rating beside it; unreviewed
        products sort as the lowest on every database."""
        if obj.avg_rating is None:
            return None
        return f"{obj.avg_rating:.2f} ({obj.min_rating}–{obj.max_rating})"

    units_sold = annotation_column("units_sold", "units sold")
    revenue = annotation_column("revenue", "revenue", show=money)

    @admin.display(description="tags", ordering="tag_count")
    def tag_names(self, obj):
        """The product's tags by name, sorted by how many it has."""
        return ", ".join(obj.tag_names) or "—"

    # --- Change page panels ----------------------------------------------------------------

    @admin.display(description="sales and reviews")
    def figures(self, obj):
        if obj is None or obj.pk is None:
            return "Shown once the product is saved."
        rating = "" if obj.avg_rating is None else f", rating {obj.avg_rating:.2f} / 5"
        return format_html(
            "{} sold, revenue {} (cancelled orders not counted); {}{}; {}, {} price band.",
            count_of(obj.units_sold, "unit"),
            money(obj.revenue),
            count_of(obj.review_count, "review"),
            rating,
            obj.stock_status,
            obj.price_band.lower(),
        )

    @admin.display(description="reviews of 4 stars and up")
    def top_reviews(self, obj):
        """Best first (``with_top_reviews``: the guide's filtered Prefetch, one query)."""
        if obj is None or obj.pk is None:
            return "Shown once the product is saved."
        reviews = Product.objects.with_top_reviews().get(pk=obj.pk).top_reviews
        if not reviews:
            return "None yet."
        return format_html_join(
            "",
            "<div>{}★ {} — {}</div>",
            ((r.rating, r.customer.user.username, r.comment_shown) for r in reviews),
        )

    @admin.display(description="in its category")
    def category_position(self, obj):
        """Window functions over the product's category: rank, neighbours, average, running
        inventory value. One query; the windows need every row of the category, so the
        category (not the product) is filtered before they run, and the product's own row is
        picked after them, in the database (a category of thousands of products was read
        whole into Python for one row: a second of a product page)."""
        if obj is None or obj.pk is None:
            return "Shown once the product is saved."
        me = Product.objects.with_category_position_of([obj.pk]).get()
        place = "above" if obj.price > me.category_avg_price else "at or below"
        lines = [
            ("Rank by price", f"{me.price_rank} of {me.category_product_count} (1 = dearest)"),
            ("Next cheaper product's price", money(me.prev_price)),
            ("Next dearer product's price", money(me.next_price)),
            (
                "Category average price",
                f"{money(me.category_avg_price)} (this product is {place} it)",
            ),
            (
                "Running inventory value (price × stock, by date added)",
                f"{money(me.running_inventory_value)} of "
                f"{money(me.category_inventory_value)}: product {me.date_position} "
                f"of {me.category_product_count}",
            ),
        ]
        return format_html(
            '<table class="category-position"><tbody>{}</tbody></table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", lines),
        )


@admin.register(ProductMeta)
class ProductMetaAdmin(BackofficeAdmin):
    resource_classes = [ProductMetaResource]
    list_display = ["product", "metadata"]
    list_select_related = ["product"]
    search_fields = ["product__name"]
    ordering = ["product__name"]
    # chosen by typing: a <select> of every product is 100,000 options (10 s a page at size)
    autocomplete_fields = ["product"]
