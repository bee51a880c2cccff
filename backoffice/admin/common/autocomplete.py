"""The admin's autocomplete endpoint, reading only what the choices show.

Django's ``AutocompleteJsonView`` searches the target admin's ``get_queryset``: the product
list's kept figures and tags, joined to every product that matches (9,000 for "Premium" at
100,000 products) to show 20 names. Here it reads the admin's ``get_autocomplete_queryset``
(``IdSetSearchMixin``: the list's queryset unless the admin says less), and searches it through
the same ``get_search_results`` as the list.
"""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class AutocompleteView(AutocompleteJsonView):
    def get_queryset(self):
        """Django's, from the admin's autocomplete queryset instead of its list's."""
        rows = getattr(self.model_admin, "get_autocomplete_queryset", None)
        queryset = rows(self.request) if rows else self.model_admin.get_queryset(self.request)
        queryset = queryset.complex_filter(self.source_field.get_limit_choices_to())
        queryset, may_have_duplicates = self.model_admin.get_search_results(
            self.request, queryset, self.term
        )
        return queryset.distinct() if may_have_duplicates else queryset
