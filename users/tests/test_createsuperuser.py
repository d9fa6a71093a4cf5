import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from users.management.commands import createsuperuser as command_module
from users.models import User
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Clinic-Admin-Pass-42"


class TTY(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def env(monkeypatch):
    for name in ("MOBILE_NUMBER", "PASSWORD", "FULL_NAME", "EMAIL"):
        monkeypatch.delenv(f"DJANGO_SUPERUSER_{name}", raising=False)
    monkeypatch.setenv("DJANGO_SUPERUSER_MOBILE_NUMBER", "01712345678")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    monkeypatch.setenv("DJANGO_SUPERUSER_FULL_NAME", "Clinic Admin")
    return monkeypatch


@pytest.fixture
def prompts(monkeypatch):
    """Answers for `input()` by prompt prefix, and the passwords getpass returns in turn."""

    answers: dict[str, list[str]] = {}
    passwords: list[str] = []

    def fake_input(prompt=""):
        for prefix, values in answers.items():
            if prompt.startswith(prefix):
                return values.pop(0)
        raise AssertionError(f"unexpected prompt {prompt!r}")

    monkeypatch.setattr("builtins.input", fake_input)
    monkeypatch.setattr(command_module.getpass, "getpass", lambda prompt="": passwords.pop(0))
    return answers, passwords


def run_noinput(**options):
    out = io.StringIO()
    call_command("createsuperuser", interactive=False, stdout=out, **options)
    return out.getvalue()


def test_noinput_from_environment_creates_an_admin_with_e164_number(env):
    run_noinput()
    user = User.objects.get()
    assert (user.mobile_number, user.role, user.is_superuser) == (
        "+8801712345678",
        "admin",
        True,
    )
    assert user.full_name == "Clinic Admin"
    assert user.check_password(PASSWORD)


def test_noinput_reads_the_optional_email_from_the_environment(env):
    env.setenv("DJANGO_SUPERUSER_EMAIL", "admin@clinic.example")
    run_noinput()
    assert User.objects.get().email == "admin@clinic.example"


def test_noinput_without_email_leaves_it_blank(env):
    run_noinput()
    assert User.objects.get().email == ""


def test_email_option_wins_over_the_environment(env):
    env.setenv("DJANGO_SUPERUSER_EMAIL", "env@clinic.example")
    run_noinput(email="option@clinic.example")
    assert User.objects.get().email == "option@clinic.example"


def test_invalid_email_is_refused(env):
    env.setenv("DJANGO_SUPERUSER_EMAIL", "not-an-email")
    with pytest.raises(CommandError, match="email"):
        run_noinput()
    assert not User.objects.exists()


def test_number_and_name_may_come_as_options(env):
    env.delenv("DJANGO_SUPERUSER_MOBILE_NUMBER")
    env.delenv("DJANGO_SUPERUSER_FULL_NAME")
    run_noinput(mobile_number="+8801812345678", full_name="Option Admin")
    assert User.objects.get().mobile_number == "+8801812345678"


def test_noinput_without_a_number_is_refused(env):
    env.delenv("DJANGO_SUPERUSER_MOBILE_NUMBER")
    with pytest.raises(CommandError, match="mobile_number"):
        run_noinput()


def test_noinput_without_a_full_name_is_refused(env):
    env.delenv("DJANGO_SUPERUSER_FULL_NAME")
    with pytest.raises(CommandError, match="full_name"):
        run_noinput()
    assert not User.objects.exists()


def test_malformed_number_is_refused(env):
    env.setenv("DJANGO_SUPERUSER_MOBILE_NUMBER", "12ab")
    with pytest.raises(CommandError, match="valid mobile number"):
        run_noinput()


def test_number_taken_in_another_form_is_refused(env):
    PatientFactory(mobile_number="+8801712345678")
    with pytest.raises(CommandError, match="already taken"):
        run_noinput()
    assert User.objects.count() == 1


def test_weak_password_from_the_environment_is_refused(env):
    env.setenv("DJANGO_SUPERUSER_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="Password refused") as excinfo:
        run_noinput()
    assert "12345678" not in str(excinfo.value)
    assert not User.objects.exists()


def test_without_a_password_the_admin_cannot_sign_in(env):
    env.delenv("DJANGO_SUPERUSER_PASSWORD")
    run_noinput()
    assert not User.objects.get().has_usable_password()


def test_output_masks_the_number(env):
    output = run_noinput()
    assert "successfully" in output
    assert "01712345678" not in output
    assert "+8801712345678" not in output


def test_created_admin_can_open_the_django_admin(env):
    run_noinput()
    client = Client()
    assert client.login(mobile_number="01712345678", password=PASSWORD)
    assert client.get("/admin/", secure=True).status_code == 200


def test_created_admin_signs_in_through_the_api(env, api_client):
    run_noinput()
    response = api_client.post(
        "/api/token/", {"mobile_number": "01712345678", "password": PASSWORD}
    )
    assert response.status_code == 200


def test_interactive_prompts_create_an_admin(prompts):
    answers, passwords = prompts
    answers.update(
        {
            "Mobile number": ["01912345678"],
            "Full name": ["Prompted Admin"],
            "Email address": ["prompted@clinic.example"],
        }
    )
    passwords.extend([PASSWORD, PASSWORD])
    call_command("createsuperuser", interactive=True, stdin=TTY(), stdout=io.StringIO())
    user = User.objects.get()
    assert (user.mobile_number, user.full_name, user.email, user.role) == (
        "+8801912345678",
        "Prompted Admin",
        "prompted@clinic.example",
        "admin",
    )
    assert user.check_password(PASSWORD)


def test_interactive_email_may_be_left_blank(prompts):
    answers, passwords = prompts
    answers.update(
        {"Mobile number": ["01912345678"], "Full name": ["Admin"], "Email address": [""]}
    )
    passwords.extend([PASSWORD, PASSWORD])
    call_command("createsuperuser", interactive=True, stdin=TTY(), stdout=io.StringIO())
    assert User.objects.get().email == ""


def test_interactive_asks_again_after_a_malformed_or_taken_number(prompts):
    PatientFactory(mobile_number="+8801712345678")
    answers, passwords = prompts
    answers.update(
        {
            "Mobile number": ["12ab", "01712345678", "01912345678"],
            "Full name": ["Admin"],
            "Email address": [""],
        }
    )
    passwords.extend([PASSWORD, PASSWORD])
    err = io.StringIO()
    call_command("createsuperuser", interactive=True, stdin=TTY(), stdout=io.StringIO(), stderr=err)
    assert User.objects.filter(role="admin").get().mobile_number == "+8801912345678"
    assert "already taken" in err.getvalue()


def test_interactive_refuses_a_weak_password_unless_bypassed(prompts):
    answers, passwords = prompts
    answers.update(
        {
            "Mobile number": ["01912345678"],
            "Full name": ["Admin"],
            "Email address": [""],
            "Bypass password validation": ["n"],
        }
    )
    passwords.extend(["12345678", "12345678", PASSWORD, PASSWORD])
    err = io.StringIO()
    call_command("createsuperuser", interactive=True, stdin=TTY(), stdout=io.StringIO(), stderr=err)
    assert "too common" in err.getvalue()
    assert User.objects.get().check_password(PASSWORD)


def test_interactive_without_a_tty_creates_nobody():
    out = io.StringIO()
    call_command("createsuperuser", interactive=True, stdin=io.StringIO(), stdout=out)
    assert "skipped" in out.getvalue()
    assert not User.objects.exists()
