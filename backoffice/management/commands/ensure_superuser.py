import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Make sure a superuser exists (DJANGO_SUPERUSER_USERNAME / _PASSWORD / _EMAIL). "
        "Without a password, a random one is generated and printed once. With no name given "
        "and a superuser already there, nothing is made."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        named = os.environ.get("DJANGO_SUPERUSER_USERNAME")
        username = named or "admin"
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL") or f"{username}@example.com"
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")

        existing = User.objects.filter(username=username).first()
        if existing is not None and existing.is_superuser:
            self.stdout.write(
                f"Superuser '{username}' already exists: log in with its password "
                f"(python manage.py changepassword {username} resets it)."
            )
            return
        # A plain `make run` after a first run with another name must not add a second one.
        superusers = list(
            User.objects.filter(is_superuser=True).order_by("pk").values_list("username", flat=True)
        )
        if not named and superusers:
            self.stdout.write(
                f"A superuser already exists ({', '.join(superusers)}); none was made. "
                "Set DJANGO_SUPERUSER_USERNAME to make another."
            )
            return
        if existing is not None:
            raise CommandError(
                f"A user named '{username}' exists but is not a superuser, so no superuser was "
                "made. Set DJANGO_SUPERUSER_USERNAME to a free name, or give that user superuser "
                "status in the admin."
            )

        generated = not password
        if generated:
            password = secrets.token_urlsafe(18)
        else:
            try:
                validate_password(password, User(username=username, email=email))
            except ValidationError as error:
                raise CommandError(
                    "DJANGO_SUPERUSER_PASSWORD is not accepted: " + " ".join(error.messages)
                ) from error
        User.objects.create_superuser(username=username, email=email, password=password)
        self.stdout.write(self.style.SUCCESS(f"Created superuser '{username}'."))
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Log in as '{username}' with password: {password}\n"
                    "(shown once; set DJANGO_SUPERUSER_PASSWORD to choose your own)"
                )
            )
