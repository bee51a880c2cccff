"""What every area's admin shares: the base class, filters, messages, edit checks, pages.

Nothing here registers a model.
"""
