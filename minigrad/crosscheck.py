"""python -m minigrad.crosscheck: every differentiable op and loss of minigrad against torch.

    python -m minigrad.crosscheck [--device cpu|cuda] [--dtype float32|float64]
                                  [--ops softmax,cross_entropy,...] [--seed N] [--list]

Each case runs on fresh random inputs through minigrad and through torch, and the table shows
the largest absolute error of the output, of the gradients (for a random upstream gradient)
and of the second derivatives. The exit status is 1 when any case fails, 2 when torch is
missing or the arguments are bad. The cases themselves live in crosscheck_cases.py: adding
an op is one line there.
"""
from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np

INSTALL = ("minigrad.crosscheck needs PyTorch as the reference implementation. Install it with\n"
           "    pip install torch --index-url https://download.pytorch.org/whl/cpu   (CPU only)\n"
           "or  pip install torch                                                 (with CUDA)\n")

# tolerances (rtol, atol) per dtype; a case's `tol` multiplies them
TOLERANCES = {"float64": (1e-7, 1e-9), "float32": (1e-4, 1e-5)}


class _Lib:
    """What a case's function sees for one library: top-level names (L.softmax), the
    functional module (L.F) and L.tensor(array) for extra arguments such as class weights."""

    def __init__(self, module, functional, device, make):
        self._m, self.F, self.device, self._make = module, functional, device, make

    def __getattr__(self, name):
        return getattr(self._m, name)

    def tensor(self, a):
        return self._make(a)


def run_case(case, mg_lib, torch_lib, dtype, device, rng):
    """Run one case; returns (status, report or None, message)."""
    from .testing import compare_with_torch
    missing = case.missing()
    if missing:
        return "SKIP", None, f"minigrad has no {missing} yet"
    arrays = [s.make(rng, dtype) for s in case.inputs]
    extra = {k: s.make(rng, dtype) for k, s in case.specs.items()}
    grads = [s.grad and a.dtype.kind == "f" for s, a in zip(case.inputs, arrays)]
    rtol, atol = (t * case.tol for t in TOLERANCES[dtype])
    state = {}

    def mg_fn(*xs):
        return case.call(mg_lib, xs, extra, state)

    def torch_fn(*ts):
        return case.call(torch_lib, ts, extra, state)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # expected warnings (kl_div 'mean') drown the table
            report = compare_with_torch(mg_fn, torch_fn, *arrays, grad=any(grads),
                                        double=case.double, rtol=rtol, atol=atol, dtype=dtype,
                                        device=device, requires_grad=grads, check=False)
    except Exception as e:  # noqa: BLE001 (an error in minigrad is a failed case, not a crash)
        return "ERROR", None, f"{type(e).__name__}: {e}".splitlines()[0][:120]
    return ("ok" if report.ok else "FAIL"), report, ""


def _fmt(v):
    return "-" if v is None else f"{v:.1e}"


def _table(rows):
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _libs(device):
    import torch

    import minigrad as mg
    import minigrad.nn.functional as mgF
    mg_lib = _Lib(mg, mgF, device, lambda a: mg.tensor(a, device=device))
    torch_lib = _Lib(torch, torch.nn.functional, "cpu", lambda a: torch.tensor(a))
    return mg_lib, torch_lib


def run(cases, device="cpu", dtype="float64", seed=None, out=print):
    """Run `cases`, print the table through `out`, return the number of failed cases."""
    import torch

    import minigrad as mg
    torch.set_grad_enabled(True)
    prev = torch.get_default_dtype()        # promotion cases (int * 0.5) need both libraries
    torch.set_default_dtype(getattr(torch, str(mg.get_default_dtype())))   # on one default
    try:
        return _run(cases, device, dtype, seed, out)
    finally:
        torch.set_default_dtype(prev)


def _run(cases, device, dtype, seed, out):
    import torch

    import minigrad as mg
    seed = int(np.random.SeedSequence().entropy % 2**32) if seed is None else seed
    rng = np.random.default_rng(seed)
    mg.manual_seed(seed)
    mg_lib, torch_lib = _libs(device)
    rows = [("op", "options", "forward err", "grad err", "grad2 err", "result")]
    failed, skipped, details = 0, 0, []
    for case in cases:
        status, report, msg = run_case(case, mg_lib, torch_lib, dtype, device, rng)
        errs = [_fmt(report.forward_error), _fmt(report.grad_error),
                _fmt(report.grad2_error)] if report else ["-", "-", "-"]
        rows.append((case.op, case.options, *errs, status + (f": {msg}" if msg else "")))
        failed += status in ("FAIL", "ERROR")
        skipped += status == "SKIP"
        if status == "FAIL":
            details.append(f"{case.op} ({case.options}):\n{report}")
    out(_table(rows))
    for d in details:
        out("\n" + d)
    passed = len(cases) - failed - skipped
    out(f"\nminigrad {mg.__version__} vs torch {torch.__version__} on {device}, {dtype}, "
        f"seed {seed}: {passed} passed, {failed} failed, {skipped} skipped")
    return failed


def _parser():
    p = argparse.ArgumentParser(prog="python -m minigrad.crosscheck",
                                description="Compare every differentiable op and loss of "
                                            "minigrad with PyTorch on fresh random inputs.")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                   help="where minigrad runs (torch runs on CPU as the reference)")
    p.add_argument("--dtype", default="float64", choices=["float32", "float64"])
    p.add_argument("--ops", default="", help="comma-separated op names (default: all; see "
                                             "--list)")
    p.add_argument("--seed", type=int, default=None, help="seed for the random inputs")
    p.add_argument("--list", action="store_true", help="list the op names and exit")
    return p


def main(argv=None, cases=None) -> int:
    """The command line: returns 0 (all passed), 1 (a case failed) or 2 (cannot run)."""
    args = _parser().parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError:
        sys.stderr.write(INSTALL)
        return 2
    if cases is None:
        from .crosscheck_cases import CASES as cases
    names = list(dict.fromkeys(c.op for c in cases))
    if args.list:
        print("\n".join(names))
        return 0
    if args.ops:
        wanted = [o.strip() for o in args.ops.split(",") if o.strip()]
        unknown = [o for o in wanted if o not in names]
        if unknown:
            sys.stderr.write(f"crosscheck: unknown op(s) {', '.join(unknown)}; known ops: "
                             f"{', '.join(names)}\n")
            return 2
        cases = [c for c in cases if c.op in wanted]
    if args.device == "cuda":
        import minigrad as mg
        if not mg.cuda.is_available():
            sys.stderr.write("crosscheck: --device cuda needs CuPy and an NVIDIA GPU "
                             "(pip install -e '.[cuda12]'); none is usable here\n")
            return 2
    return 1 if run(cases, args.device, args.dtype, args.seed) else 0


if __name__ == "__main__":
    sys.exit(main())
