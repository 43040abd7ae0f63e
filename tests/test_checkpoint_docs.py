"""docs/checkpointing.md: every ```python block runs, in order, in one namespace."""
import contextlib
import io
import pathlib
import re

DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "checkpointing.md"


def test_checkpointing_doc_blocks_run():
    blocks = re.findall(r"^```python\n(.*?)^```", DOC.read_text(), flags=re.DOTALL | re.MULTILINE)
    assert len(blocks) == 2
    namespace = {"__name__": "checkpointing_doc"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in blocks:
            exec(compile(block, str(DOC), "exec"), namespace)
    assert "pack" in out.getvalue()
    assert namespace["out"].grad_fn is not None
