"""The repository stands alone: no file points to the old external GPU guide, and the paths
docs/kernels.md names (and the sections other files cite from it) exist."""
import os
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "kernels.md"
EXTERNAL = "GPU" + ".md"            # spelled in two parts so this file does not match itself
SKIP_DIRS = {".git", ".venv", "__pycache__", ".pytest_cache", "build", "dist"}
SKIP_PATHS = {ROOT / ".ci" / "venv"}
REPO_PATH = re.compile(r"`((?:kernels|minigrad|tests|benchmarks|docs)/[^`\s]*)`")
CITED_SECTION = re.compile(r"docs/kernels\.md,\s+(?://\s*|#\s*)?'([^']+)'")


def repository_files():
    for dirpath, dirnames, filenames in os.walk(ROOT):
        here = pathlib.Path(dirpath)
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")
                       and here / d not in SKIP_PATHS]
        for name in filenames:
            yield here / name


def test_self_contained_and_kernels_guide_paths_exist():
    headings = {m.strip() for m in re.findall(r"^#+ (.+)$", GUIDE.read_text(), re.MULTILINE)}
    mentions, bad_sections = [], []
    for path in repository_files():
        text = path.read_bytes().decode("utf-8", errors="replace")
        if EXTERNAL in text:
            mentions.append(str(path.relative_to(ROOT)))
        for section in CITED_SECTION.findall(text):
            if section not in headings:
                bad_sections.append(f"{path.relative_to(ROOT)}: {section!r}")
    assert not mentions, f"files pointing outside the repository to {EXTERNAL}: {mentions}"
    assert not bad_sections, f"cited sections missing from docs/kernels.md: {bad_sections}"

    paths = REPO_PATH.findall(GUIDE.read_text())
    assert paths, "docs/kernels.md names no repository paths"
    missing = [p for p in paths if not any(ROOT.glob(p.rstrip("/")))]
    assert not missing, f"paths in docs/kernels.md that do not exist: {missing}"


def test_readme_coverage_table_names_every_crosscheck_op_and_none_fails():
    """The README's table (python -m minigrad.coverage --write README.md) is regenerated when
    ops are added: it lists every crosscheck op, in the cases' order, and no cell is ✗."""
    from minigrad.coverage import END, START
    from minigrad.crosscheck_cases import CASES
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index(START):text.index(END)]
    rows = re.findall(r"^\| `([^`]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", table,
                      re.MULTILINE)
    assert [r[0] for r in rows] == list(dict.fromkeys(c.op for c in CASES)), \
        "README coverage table is stale: run python -m minigrad.coverage --write README.md"
    assert not [r for r in rows if any("✗" in c for c in r)]
