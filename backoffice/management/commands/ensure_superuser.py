import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Make sure a superuser exists (DJANGO_SUPERUSER_USERNAME / _PASSWORD / _EMAIL). "
        "Without a password, a random one is generated and printed once."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL") or f"{username}@example.com"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"Superuser '{username}' already exists: log in with its password "
                "(python manage.py changepassword " + username + " resets it)."
            )
            return
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=email, password=password)
        self.stdout.write(self.style.SUCCESS(f"Created superuser '{username}'."))
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Log in as '{username}' with password: {password}\n"
                    "(shown once; set DJANGO_SUPERUSER_PASSWORD to choose your own)"
                )
            )
