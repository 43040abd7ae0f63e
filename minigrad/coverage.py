"""python -m minigrad.coverage: the README's coverage table (op, CPU, CUDA, grad, grad-of-grad).

    python -m minigrad.coverage [--device cpu|cuda] [--write README.md]

It runs every crosscheck case (minigrad/crosscheck_cases*.py) against torch in float64 and
writes one row per op:

- CPU: ✓ when every case of the op matches torch on the CPU (✗ otherwise);
- CUDA: the path the op takes on a GPU: `kernel` (the op's own hand-written kernel in
  kernels/*.cu is offered for at least one of its cases; seen by watching
  minigrad.fastpath.run) or `CuPy` (the reference math on CuPy arrays; an op built from others
  may still run their kernels, e.g. mean's sum). With --device cuda the cases also run on
  the GPU and the cell gets ✓ or ✗; without it the cell says the path only, and the table's
  footer says no GPU ran it;
- grad: ✓ when the op's cases compare gradients (for a random upstream gradient) with torch
  and they match, — when no case has a differentiable input;
- grad-of-grad: ✓ when second derivatives are compared and match, — when no case compares
  them (torch has none for the op, or the op has no differentiable input).

`--write FILE` replaces the text between the markers `<!-- coverage:start -->` and
`<!-- coverage:end -->` in FILE; tests/test_docs.py checks that the README's table names the
same ops, paths and columns as the cases do now.
"""
from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np

START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"
YES, NO, NA = "✓", "✗", "—"


def _kernel_spy():
    """Patch fastpath.run to record whether a CUDA launcher was offered; returns (hits, undo)."""
    from . import fastpath
    real, hits = fastpath.run, []

    def spy(cpu, cuda, reference, *args):
        if cuda is not None:
            hits.append(getattr(cuda, "__name__", "kernel"))
        return real(cpu, cuda, reference, *args)
    fastpath.run = spy
    return hits, lambda: setattr(fastpath, "run", real)


# Ops whose kernel is chosen before fastpath.run (so the spy cannot see it on the CPU).
CHOSEN_EARLY = {"scaled_dot_product_attention"}    # attention_*.cu, float32: _use_fused


def _own_kernel(op, launcher):
    """Is `launcher` (a CUDA launcher's name) the op's own kernel, not one of a part's?"""
    return launcher.removesuffix("_backward") == op


def static_columns(case):
    """(compares grad, compares grad-of-grad) from a case's specs alone (for a case that
    failed before comparing anything)."""
    grad = any(s.grad for s in case.inputs)
    return grad, grad and case.double


class OpRow:
    """The results of one op's cases, folded into the table's cells."""

    def __init__(self, op):
        self.op, self.cases, self.kernel = op, 0, op in CHOSEN_EARLY
        self.ok = {"cpu": True, "cuda": True}
        self.grad = self.grad2 = False          # some case compares them
        self.grad_ok = self.grad2_ok = True

    def add(self, case, device, status, report):
        self.cases += device == "cpu"
        self.ok[device] &= status == "ok"
        if device != "cpu":
            return
        if report is None:                      # an error: count what the case meant to check
            grad, grad2 = static_columns(case)
        else:
            grad, grad2 = report.grad_error is not None, report.grad2_error is not None
        self.grad |= grad
        self.grad2 |= grad2
        self.grad_ok &= not grad or status == "ok"
        self.grad2_ok &= not grad2 or status == "ok"

    def cells(self, cuda_ran):
        path = "kernel" if self.kernel else "CuPy"
        cuda = f"{path} {YES if self.ok['cuda'] else NO}" if cuda_ran else path
        return [f"`{self.op}`", YES if self.ok["cpu"] else NO, cuda,
                (YES if self.grad_ok else NO) if self.grad else NA,
                (YES if self.grad2_ok else NO) if self.grad2 else NA]


def collect(cases, devices=("cpu",), seed=0):
    """Run every case on each device; returns {op: OpRow} in the cases' order."""
    import torch

    import minigrad as mg

    from .crosscheck import _libs, run_case
    rows = {}
    prev = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, str(mg.get_default_dtype())))
    try:
        for device in devices:
            rng = np.random.default_rng(seed)
            mg.manual_seed(seed)
            mg_lib, torch_lib = _libs(device)
            for case in cases:
                row = rows.setdefault(case.op, OpRow(case.op))
                hits, undo = _kernel_spy()
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        status, report, _ = run_case(case, mg_lib, torch_lib, "float64", device,
                                                     rng)
                finally:
                    undo()
                row.kernel |= any(_own_kernel(case.op, h) for h in hits)
                row.add(case, device, status, report)
    finally:
        torch.set_default_dtype(prev)
    return rows


def markdown(rows, cuda_ran):
    head = ["op", "CPU", "CUDA", "grad", "grad-of-grad"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    lines += ["| " + " | ".join(r.cells(cuda_ran)) + " |" for r in rows.values()]
    n = len(rows)
    cases = sum(r.cases for r in rows.values())
    where = ("CPU and CUDA" if cuda_ran else
             "the CPU only: the CUDA column names the path an op takes on a GPU (a hand-written "
             "kernel or CuPy), not a result")
    lines += ["", f"{n} ops, {cases} crosscheck cases, float64 against torch, run on {where}. "
              f"Generated by `python -m minigrad.coverage --write README.md`."]
    return "\n".join(lines)


def replace_between_markers(text, table):
    a, b = text.index(START) + len(START), text.index(END)
    return text[:a] + "\n" + table + "\n" + text[b:]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m minigrad.coverage",
                                description="The coverage table: every crosscheck op on CPU "
                                            "(and CUDA), with gradients and second derivatives.")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                   help="cuda: run the cases on the GPU as well as on the CPU")
    p.add_argument("--write", metavar="FILE", help="replace the table between the coverage "
                                                   "markers in FILE (the README)")
    args = p.parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError:
        from .crosscheck import INSTALL
        sys.stderr.write(INSTALL)
        return 2
    devices = ("cpu",)
    if args.device == "cuda":
        import minigrad as mg
        if not mg.cuda.is_available():
            sys.stderr.write("coverage: --device cuda needs CuPy and an NVIDIA GPU\n")
            return 2
        devices = ("cpu", "cuda")
    from .crosscheck_cases import CASES
    rows = collect(CASES, devices)
    table = markdown(rows, "cuda" in devices)
    if args.write:
        with open(args.write, encoding="utf-8") as f:
            text = f.read()
        with open(args.write, "w", encoding="utf-8") as f:
            f.write(replace_between_markers(text, table))
    else:
        print(table)
    failed = [r.op for r in rows.values() if NO in r.cells("cuda" in devices)]
    if failed:
        sys.stderr.write(f"coverage: failing ops: {', '.join(failed)}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
