"""The README's layout stays true: every file it names, and every module its layout block
lists, exists (issue 10, point 7); nothing in the project points outside it (issue 11)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
PATH = re.compile(r"`((?:backoffice|tests|docs|templates|benchmarks|seed_data|config)/[^`\s:]*)`")


def layout_block() -> str:
    layout = README[README.index("## Layout") :]
    return layout.split("```")[1]


def test_every_path_in_the_readme_exists():
    paths = set(PATH.findall(README))
    assert len(paths) > 5
    assert sorted(p for p in paths if not any(ROOT.glob(p))) == []


def test_every_module_of_the_layout_block_exists():
    """A line ``  admin/ … catalog/ products.py, …`` names files of the folder it sits under."""
    missing, folders = [], []
    for line in layout_block().splitlines():
        indent = len(line) - len(line.lstrip())
        head = line.split()[0] if line.strip() else ""
        if head and indent <= 4:  # an entry, not a continuation line: it sets the folder
            folders = folders[: indent // 2]
            if head.endswith("/"):
                folders.append(head.rstrip("/"))
        for name in re.findall(r"(?<![\w/.])([a-z_/]*[a-z_]+\.py)\b", line):
            # a path from the root, or a file under the line's own folder (or the root's own
            # manage.py)
            if "/" in name:
                found = (ROOT / name).exists()
            else:
                found = any(ROOT.joinpath(*folders).rglob(name)) or (ROOT / name).exists()
            if not found:
                missing.append((line.strip()[:40], name))
    assert missing == []


def test_the_layout_answers_where_revenue_and_the_order_admin_are():
    for path in ("backoffice/querysets/expressions.py", "backoffice/admin/sales/orders.py"):
        assert f"`{path}`" in README
    assert "REVENUE" in (ROOT / "backoffice/querysets/expressions.py").read_text()
    assert "class OrderAdmin" in (ROOT / "backoffice/admin/sales/orders.py").read_text()


OUTSIDE = re.compile(r"\.\./shared|shared/reference|\bDESIGN\.md|\bSTYLE\.md|django-orm-guide\.md")
TEXT_SUFFIXES = {".py", ".md", ".html", ".toml", ".txt", ".cfg", ".js", ".css", ""}
SKIPPED_DIRS = {".git", ".venv", "node_modules", "__pycache__"}


def test_nothing_points_outside_the_repository():
    """A clone has no ../shared/: the guide is named by its title, the design is docs/design.md."""
    offenders = []
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIPPED_DIRS or any(p.endswith(".egg-info") for p in parts):
            continue
        if path.is_file() and path.suffix in TEXT_SUFFIXES and path != Path(__file__):
            text = path.read_text(errors="replace")
            offenders += [f"{path.relative_to(ROOT)}: {m}" for m in OUTSIDE.findall(text)]
    assert offenders == []
