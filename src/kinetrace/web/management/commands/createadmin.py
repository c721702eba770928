"""``kinetrace web createadmin``: the first clinic and its admin, with a prompted password (production set-up)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from kinetrace.web.models import Clinic, Membership


class Command(BaseCommand):
    help = (
        "Create a clinic (or use an existing one) and a clinic-admin login. The password is prompted "
        "twice (or read from the environment variable named by --password-env) and checked by the "
        "password validators. The admin then requires 2FA and adds members in the app or the Django admin."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--clinic", required=True, help="clinic name, e.g. 'Riverside Physio'")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--password-env", default=None, help="read the password from this variable")
        parser.add_argument("--require-2fa", action="store_true", help="every member of the clinic must use 2FA")

    def _password(self, options: dict[str, Any], user: Any) -> str:
        if options["password_env"]:
            password = os.environ.get(options["password_env"], "")
            if not password:
                raise CommandError(f"environment variable {options['password_env']} is empty")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("password refused: " + " ".join(exc.messages)) from None
        return password

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model()
        if users.objects.filter(username=options["username"]).exists():
            raise CommandError(f"a user {options['username']!r} already exists")
        user = users(username=options["username"], email=options["email"])
        password = self._password(options, user)
        slug = slugify(options["clinic"])[:50] or "clinic"
        with transaction.atomic():
            clinic, created = Clinic.objects.get_or_create(slug=slug, defaults={"name": options["clinic"]})
            if options["require_2fa"]:
                Clinic.objects.filter(pk=clinic.pk).update(require_2fa=True)
            user.set_password(password)
            user.save()
            Membership.objects.create(user=user, clinic=clinic, role=Membership.ADMIN)
        what = "created" if created else "existing"
        self.stdout.write(f"Clinic {clinic.name!r} ({what}); clinic admin {user.username!r} created.")
