"""The repository's docs stand on their own: every relative link names a file in the repository."""

import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
DOCS = [PROJECT / "README.md", PROJECT / "SECURITY.md", *sorted((PROJECT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def relative_links(doc: Path) -> list[str]:
    return [
        link
        for link in LINK.findall(doc.read_text(encoding="utf-8"))
        if not re.match(r"^[a-z]+:|^#", link)
    ]


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_every_relative_link_names_a_file_in_the_repository(doc):
    offenders = []
    for link in relative_links(doc):
        target = (doc.parent / link.split("#")[0]).resolve()
        if not target.is_relative_to(PROJECT) or not target.exists():
            offenders.append(link)
    assert offenders == []


def test_the_readme_links_the_front_end_guide():
    assert "docs/api.md" in relative_links(PROJECT / "README.md")
