"""docs/tour.md: every ```python block runs, in order, in one namespace."""
import contextlib
import io
import pathlib
import re

import pytest

TOUR = pathlib.Path(__file__).resolve().parent.parent / "docs" / "tour.md"


def python_blocks(text):
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def test_tour_has_blocks_for_every_section():
    text = TOUR.read_text()
    blocks = python_blocks(text)
    assert len(blocks) >= 12
    assert text.count("```python") == len(blocks)          # no malformed fences
    for needle in ("viz.to_dot", "autograd.trace", "cross_entropy", "create_graph=True",
                   "compare_with_torch", "ladder_sum", "register_hook", "make_dual", "jacfwd",
                   "vmap", "profiler", "register_post_accumulate_grad_hook"):
        assert any(needle in b for b in blocks), needle


@pytest.mark.filterwarnings("ignore:divide by zero")   # the tour's naive log(softmax) demo
def test_tour_code_blocks_run():
    namespace = {"__name__": "tour"}
    out = io.StringIO()
    for k, block in enumerate(python_blocks(TOUR.read_text())):
        # the file name in a traceback says which block failed
        code = compile(block, f"{TOUR.name} block {k + 1}", "exec")
        with contextlib.redirect_stdout(out):
            exec(code, namespace)  # noqa: S102 (running the tour's code is the test)
    printed = out.getvalue()
    assert "TanhBackward" in printed and "CrossEntropyBackward" in printed
    assert "jacfwd called f 1 time, on a batch of 3 tangents" in printed               # 11
    assert "column by column, jacfwd called f 3 times" in printed
    assert "jacrev called f 1 time" in printed
    assert "per-sample gradients match the loop" in printed and "refused" in printed   # 12
    assert "Self CPU %" in printed and "MatmulBackward ran" in printed                 # 13
    assert "lin2's hook ran before lin1's gradient existed: True" in printed          # 14
