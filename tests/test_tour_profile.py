"""docs/tour_profile.md (the tour's chapter "Reading a profile"): every ```python block runs,
in order, in one namespace, as tests/test_tour.py runs docs/tour.md."""
import contextlib
import io
import pathlib

from test_tour import python_blocks

CHAPTER = pathlib.Path(__file__).resolve().parent.parent / "docs" / "tour_profile.md"


def test_profile_chapter_code_blocks_run():
    text = CHAPTER.read_text()
    blocks = python_blocks(text)
    assert len(blocks) >= 6 and text.count("```python") == len(blocks)
    namespace = {"__name__": "tour_profile"}
    out = io.StringIO()
    for k, block in enumerate(blocks):
        code = compile(block, f"{CHAPTER.name} block {k + 1}", "exec")
        with contextlib.redirect_stdout(out):
            exec(code, namespace)  # noqa: S102 (running the chapter's code is the test)
    printed = out.getvalue()
    assert "Self CPU %" in printed and "MatmulBackward ran" in printed
