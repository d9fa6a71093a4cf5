"""The admin site's static files are served by WhiteNoise under gunicorn, not only by runserver."""

import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from healthcare.tests.gunicorn_server import PROJECT, free_port, gunicorn_env, gunicorn_running

pytestmark = pytest.mark.server


def get(url: str, deadline: float):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local http)
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionError) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def served(tmp_path):
    """collectstatic into a folder of the test's own, then gunicorn with DEBUG off."""
    # A settings module of the test's own, so collectstatic never touches the project's folder.
    static_root = str(tmp_path / "static")
    (tmp_path / "static_test_settings.py").write_text(
        f"from healthcare.settings import *  # noqa: F403\nSTATIC_ROOT = {static_root!r}\n"
    )
    port = free_port()
    env = gunicorn_env(
        tmp_path,
        port,
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(PROJECT)]),
        DJANGO_SETTINGS_MODULE="static_test_settings",
    )
    subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=PROJECT,
        env=env,
        check=True,
    )
    with gunicorn_running(env, tmp_path / "gunicorn.log"):
        yield f"http://127.0.0.1:{port}"


def test_gunicorn_serves_the_stylesheet_the_admin_login_page_links(served):
    deadline = time.monotonic() + 30
    status, _type, page = get(f"{served}/admin/login/", deadline)
    assert status == 200
    # The manifest storage links a content-hashed name, which WhiteNoise serves for a year.
    stylesheet = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]+\.css)"', page)
    assert stylesheet, page[:500]
    status, content_type, body = get(served + stylesheet.group(1).decode(), deadline)
    assert (status, content_type.split(";")[0]) == (200, "text/css")
    assert b"body" in body
