"""Settings for a real deployment (config/wsgi.py and config/asgi.py use them).

The base settings (debug off unless DJANGO_DEBUG=1, a real secret key required, a shared cache)
plus HTTPS, cookiecutter-django style: every HTTPS setting is on and each can be turned off or
tuned from the environment (README "Deploying"). `manage.py check --deploy` is clean with them.
"""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import env_bool

# Behind a TLS-terminating proxy (nginx, a load balancer), the proxy says the request was HTTPS
# with X-Forwarded-Proto; it must also strip that header from what clients send.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
# HSTS: start small (an hour) and raise DJANGO_SECURE_HSTS_SECONDS to a year (31536000) once
# HTTPS is known to work everywhere the admin is served; browsers remember it.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "3600"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
