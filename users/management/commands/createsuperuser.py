"""`createsuperuser` for our user model: an admin signing in by mobile number, email optional.

Django's stock command only reads USERNAME_FIELD and REQUIRED_FIELDS from options and the
environment, so an optional field such as `email` can't be given with `--noinput`. This subclass
keeps the stock prompts, messages and helpers and adds `--email` / `DJANGO_SUPERUSER_EMAIL`.
The number may be typed in local form (`01712345678`); it is stored as E.164.
"""

import getpass
import os

from django.contrib.auth.management.commands import createsuperuser as stock
from django.contrib.auth.password_validation import validate_password
from django.core import exceptions
from django.core.management.base import CommandError

from users.phone import mask_mobile_number

ENV_PREFIX = "DJANGO_SUPERUSER_"


class Command(stock.Command):
    help = "Create an admin (role `admin`) who can use /admin/ and the admin-panel API."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--email", help="Optional email address of the admin.")

    def handle(self, *args, **options):
        database = options["database"]
        try:
            if options["interactive"]:
                if hasattr(self.stdin, "isatty") and not self.stdin.isatty():
                    raise stock.NotRunningInTTYException
                data = self._prompted(options, database)
            else:
                data = self._from_options_and_environment(options, database)
            manager = self.UserModel._default_manager.db_manager(database)
            user = manager.create_superuser(**data)
        except KeyboardInterrupt:
            self.stderr.write("\nOperation cancelled.")
            raise SystemExit(1) from None
        except exceptions.ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except stock.NotRunningInTTYException:
            self.stdout.write(
                "Superuser creation skipped due to not running in a TTY. "
                "Use --noinput with the DJANGO_SUPERUSER_* variables instead."
            )
            return
        if options["verbosity"] >= 1:
            # Masked: command output ends up in deploy logs.
            self.stdout.write(
                f"Superuser created successfully "
                f"(role admin, {mask_mobile_number(user.mobile_number)})."
            )

    def _field(self, name):
        return self.UserModel._meta.get_field(name)

    def _from_options_and_environment(self, options, database) -> dict:
        number = options["mobile_number"] or os.environ.get(f"{ENV_PREFIX}MOBILE_NUMBER")
        if not number:
            raise CommandError(
                f"You must use --mobile_number with --noinput (or set {ENV_PREFIX}MOBILE_NUMBER)."
            )
        error = self._validate_username(number, self.username_field.verbose_name, database)
        if error:
            raise CommandError(error)
        full_name = options["full_name"] or os.environ.get(f"{ENV_PREFIX}FULL_NAME")
        if not full_name or not full_name.strip():
            raise CommandError(
                f"You must use --full_name with --noinput (or set {ENV_PREFIX}FULL_NAME)."
            )
        email = options["email"]
        if email is None:
            email = os.environ.get(f"{ENV_PREFIX}EMAIL", "")
        data = {
            "mobile_number": self.username_field.clean(number, None),
            "full_name": self._field("full_name").clean(full_name.strip(), None),
            "email": self._field("email").clean(email.strip(), None),
            # No password in the environment: the account can't sign in until one is set.
            "password": os.environ.get(f"{ENV_PREFIX}PASSWORD"),
        }
        if data["password"] is not None:
            # Unlike Django's stock command, refuse a weak password here too: an admin of
            # patient records is the account most worth guessing.
            try:
                validate_password(data["password"], self.UserModel(**_without_password(data)))
            except exceptions.ValidationError as exc:
                raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        return data

    def _prompted(self, options, database) -> dict:
        verbose_name = self.username_field.verbose_name
        number = options["mobile_number"]
        if number:
            error = self._validate_username(number, verbose_name, database)
            if error:
                self.stderr.write(error)
                number = None
            else:
                number = self.username_field.clean(number, None)
        while not number:
            number = self.get_input_data(
                self.username_field, self._get_input_message(self.username_field)
            )
            if number:
                error = self._validate_username(number, verbose_name, database)
                if error:
                    self.stderr.write(error)
                    number = None

        full_name_field = self._field("full_name")
        full_name = options["full_name"]
        if full_name:
            full_name = full_name_field.clean(full_name.strip(), None)
        while not full_name:
            full_name = self.get_input_data(
                full_name_field, self._get_input_message(full_name_field)
            )

        email_field = self._field("email")
        email = options["email"]
        if email is not None:
            email = email_field.clean(email.strip(), None)
        while email is None:
            email = self.get_input_data(email_field, "Email address (optional): ")
            if email is None:
                continue
            email = email.strip()

        data = {"mobile_number": number, "full_name": full_name, "email": email}
        data["password"] = self._prompt_password(data)
        return data

    def _prompt_password(self, data) -> str:
        while True:
            password = getpass.getpass()
            password2 = getpass.getpass("Password (again): ")
            if password != password2:
                self.stderr.write("Error: Your passwords didn't match.")
                continue
            if password.strip() == "":
                self.stderr.write("Error: Blank passwords aren't allowed.")
                continue
            try:
                validate_password(password2, self.UserModel(**data))
            except exceptions.ValidationError as err:
                self.stderr.write("\n".join(err.messages))
                response = input("Bypass password validation and create user anyway? [y/N]: ")
                if response.lower() != "y":
                    continue
            return password


def _without_password(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "password"}
