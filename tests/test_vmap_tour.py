"""docs/tour_vmap.md: every ```python block runs, in order, in one namespace."""
import contextlib
import io
import pathlib
import re

TOUR = pathlib.Path(__file__).resolve().parent.parent / "docs" / "tour_vmap.md"


def test_vmap_tour_code_blocks_run():
    text = TOUR.read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)
    assert len(blocks) >= 8 and text.count("```python") == len(blocks)
    from minigrad.func import batching
    batching._warned.clear()        # the chapter shows the first (and only) warning
    namespace = {"__name__": "tour_vmap"}
    out = io.StringIO()
    for k, block in enumerate(blocks):
        code = compile(block, f"{TOUR.name} block {k + 1}", "exec")
        with contextlib.redirect_stdout(out):
            exec(code, namespace)  # noqa: S102 (running the chapter's code is the test)
    printed = out.getvalue()
    assert "per-sample gradients match the loop" in printed and "refused" in printed
    assert "LogCumSumExp" in printed
