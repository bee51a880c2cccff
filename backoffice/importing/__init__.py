"""Import and export that staff can trust, on top of django-import-export.

The library does the mapping (resources, widgets, formats); this package closes the gaps it
leaves open: strict parsing of numbers and dates whatever the staff member's language
(``parsing``), files read and written safely (``formats``, ``uploads``), a preview that tells
the truth and a confirm that applies exactly that preview or nothing (``changes``, ``service``),
streaming exports (``exporting``) and the admin views that tie them together (``admin``).
See docs/import-export.md.
"""
