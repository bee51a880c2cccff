"""docs/query-patterns.md: every path it names and every test its catalog sections name exist
(the map stays true)."""

import ast
import fnmatch
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "query-patterns.md"
CATALOG_SECTIONS = (
    "Filtering and Lookups",
    "Aggregation and Annotation",
    "Joins and Relationships",
    "Database Functions",
    "Window Functions",
    "Bulk Operations",
    "Transaction Management",
    "Advanced Model Validation",
)


def catalog_part() -> str:
    text = DOC.read_text()
    return text[text.index("## Catalog: how to read these tables") :]


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def references() -> list[tuple[str, str]]:
    """(file, test name) for every test named in a table cell of the whole map; a bare name is
    in the cell's last named file."""
    found = []
    for line in DOC.read_text().splitlines():
        if not line.startswith("|"):
            continue
        for cell in line.split("|"):
            current = None
            for token in re.findall(r"`([^`]+)`", cell):
                if "::" in token:
                    path, name = token.split("::", 1)
                    current = path or current  # "`::name`" continues the cell's last file
                elif token.startswith("test_") and current:
                    name = token
                else:
                    continue
                found.append((current, re.sub(r"\[.*$", "", name)))
    return found


def test_every_guide_section_of_the_catalog_has_a_table():
    text = catalog_part()
    for section in CATALOG_SECTIONS:
        body = text[text.index(f"## {section}") :]
        assert "| guide pattern |" in body.split("\n## ")[0], section


def test_every_named_test_exists():
    refs = references()
    assert len(refs) > 60
    missing = [
        (path, name)
        for path, name in refs
        if not (ROOT / path).exists()
        or not fnmatch.filter(functions_in(ROOT / path), name)  # "test_create_*" names a group
    ]
    assert not missing


PATH = re.compile(r"`((?:backoffice|tests|docs|templates|benchmarks|seed_data|config)/[^`\s:]*)")


def test_every_path_the_map_names_exists():
    """Every file or folder (or glob) in docs/query-patterns.md, not only the catalog's tests,
    exists, so the map cannot point at code that moved."""
    paths = set(PATH.findall(DOC.read_text()))
    assert len(paths) > 20
    missing = sorted(p for p in paths if not any(ROOT.glob(p)))
    assert not missing


QUERYSET_METHOD = re.compile(r"`(\w+QuerySet)\.(\w+)(?:\(\))?`")


def test_every_queryset_method_the_map_names_exists_and_is_used():
    """``ProductQuerySet.with_catalog_stats`` and the like: the class has the method and the
    back office calls it somewhere besides its definition (a staff feature uses it)."""
    from backoffice.querysets import catalog, sales

    classes = {name: getattr(module, name) for module in (catalog, sales) for name in dir(module)}
    code = "\n".join(
        path.read_text()
        for path in (ROOT / "backoffice").rglob("*.py")
        if "migrations" not in path.parts
    )
    named = set(QUERYSET_METHOD.findall(DOC.read_text()))
    assert len(named) > 10
    missing = sorted(f"{c}.{m}" for c, m in named if not hasattr(classes.get(c), m))
    assert missing == []
    unused = sorted(f"{c}.{m}" for c, m in named if len(re.findall(rf"\.{m}\(", code)) < 1)
    assert unused == []
