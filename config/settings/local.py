"""Settings for `manage.py` on a developer's machine: the base settings with debug on by default.

Production entry points (config/wsgi.py, config/asgi.py) use config.settings.base, where debug is
off unless DJANGO_DEBUG says otherwise and a real secret key is required. Here DJANGO_DEBUG=0
still turns debug off, and then the same secret-key check applies.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from config.settings.base import *  # noqa: E402,F403
