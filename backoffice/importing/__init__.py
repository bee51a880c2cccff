"""Import and export that staff can trust, on top of django-import-export.

The library does the mapping (resources, widgets, formats), the admin views and their hooks;
this package holds only what it does not do, each module saying which gap it closes: strict
parsing of numbers and dates whatever the staff member's language (``parsing``, ``rules``,
``widgets``),
files read and written safely (``formats``, ``uploads``), readable foreign keys (``keys``), a
preview that tells the truth and a confirm that applies exactly that preview or nothing
(``report``, ``service``), the shop's rules (``domain_rules``, ``resource_base``), streaming
exports (``exporting``), large files in bulk (``bulk``) and the admin hooks that tie them
together (``admin``). See docs/import-export.md.
"""
