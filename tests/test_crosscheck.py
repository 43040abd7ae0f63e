"""python -m minigrad.crosscheck: the table, the exit status, and the torch-missing path."""
import subprocess
import sys

import pytest

from minigrad import crosscheck
from minigrad.crosscheck_cases import CASES, R, fn, op

torch = pytest.importorskip("torch")


def test_runs_on_minigrads_default_dtype_whatever_torchs_is(capsys):
    """conftest.py sets torch's default dtype to float64; the run still compares int * 0.5
    against torch's float32 (minigrad's default), and leaves torch's default as it was."""
    assert torch.get_default_dtype() == torch.float64
    assert crosscheck.main(["--ops", "mul", "--seed", "0"]) == 0
    assert "int64 * 0.5 -> float32" in capsys.readouterr().out
    assert torch.get_default_dtype() == torch.float64


def test_full_default_run_passes(capsys):
    """Every op and loss in the table agrees with torch on fresh random inputs (float64)."""
    status = crosscheck.main([])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "0 failed" in out
    for name in ("softmax", "matmul", "logsumexp", "getitem"):
        assert f"\n{name} " in out


def test_float32_subset_passes(capsys):
    assert crosscheck.main(["--dtype", "float32", "--ops", "softmax,log_softmax,div"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.split()[:1] in (["softmax"], ["div"])]
    assert rows and all(line.endswith("ok") for line in rows)
    assert "float32" in out


def test_a_wrong_op_fails_the_run(capsys):
    cases = [op("exp", "correct", lambda L, a: L.exp(a), R(3)),
             op("exp", "deliberately wrong",
                lambda L, a: L.exp(a) * (1.0001 if type(a).__module__.startswith("minigrad")
                                         else 1.0), R(3))]
    assert crosscheck.main([], cases=cases) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[2].endswith("ok") and lines[3].endswith("FAIL")
    assert "1 passed, 1 failed" in out
    assert "exp (deliberately wrong)" in out          # the failing case's detailed report


def test_an_exception_is_a_failure_and_missing_functions_skip(capsys):
    def boom(L, a):
        raise ValueError("kaboom")

    cases = [op("boom", "", boom, R(2)), fn("no_such_loss_yet", R(2))]
    assert crosscheck.main([], cases=cases) == 1
    out = capsys.readouterr().out
    assert "ERROR: ValueError: kaboom" in out and "SKIP: minigrad has no F.no_such_loss_yet" in out


def test_missing_torch_exits_2_with_install_instructions(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)     # makes `import torch` raise ImportError
    assert crosscheck.main([]) == 2
    err = capsys.readouterr().err
    assert "pip install torch" in err


def test_bad_arguments_exit_2(capsys):
    assert crosscheck.main(["--ops", "softmax,not_an_op"]) == 2
    assert "not_an_op" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        crosscheck.main(["--dtype", "int8"])
    assert e.value.code == 2


def test_list_names_every_op(capsys):
    assert crosscheck.main(["--list"]) == 0
    names = capsys.readouterr().out.split()
    assert names == list(dict.fromkeys(c.op for c in CASES))


def test_command_line_entry_point():
    res = subprocess.run([sys.executable, "-m", "minigrad.crosscheck", "--ops", "add,sum",
                          "--seed", "3"], check=False, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "seed 3" in res.stdout and "0 failed" in res.stdout


def test_coverage_rows_fold_case_results():
    """python -m minigrad.coverage: kernel ops are seen through fastpath.run, integer-only ops
    get — for grad, torch's lack of double backward gives — for grad-of-grad, and a case that
    disagrees with torch makes its op's cells ✗."""
    from minigrad import coverage
    wrong = op("mul", "deliberately wrong", lambda L, a: a * 2 if L.F is torch.nn.functional
               else a * 3, R(3))
    cases = [c for c in CASES if c.op in ("softmax", "lt", "cdist")] + [wrong]
    rows = coverage.collect(cases)
    cells = {k: r.cells(cuda_ran=False)[1:] for k, r in rows.items()}
    assert cells["softmax"] == ["✓", "kernel", "✓", "✓"]
    assert cells["lt"] == ["✓", "CuPy", "—", "—"]
    assert cells["cdist"] == ["✓", "CuPy", "✓", "—"]
    assert cells["mul"] == ["✗", "CuPy", "✗", "✗"]
    text = coverage.replace_between_markers(f"a\n{coverage.START}\nold\n{coverage.END}\nb",
                                            coverage.markdown(rows, cuda_ran=False))
    assert "old" not in text and "| `softmax` | ✓ | kernel | ✓ | ✓ |" in text
    assert text.startswith("a\n") and text.endswith(f"{coverage.END}\nb")
