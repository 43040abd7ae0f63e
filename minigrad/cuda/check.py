"""Compile every kernel instantiation the dispatch tables can request, with nvcc, without a GPU.

    python -m minigrad.cuda.check            # -ptx compile of every instantiation
    python -m minigrad.cuda.check --ptxas    # cubin + ptxas -v: registers and spills per kernel

The instantiation list comes from the launchers' `names()` (the same strings CuPy receives as
name expressions), so a template argument the dispatch can produce but the source cannot
compile fails here, on a CPU machine, instead of at run time on a GPU.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import attention, cross_entropy, linear_cross_entropy, reduce, softmax
from .loader import CTYPES, kernel_dir


def all_names() -> dict:
    """{stem: [name expression, ...]} for every dtype and kernel the dispatch can launch,
    keyed by the source file kernels/<stem>.cu that defines each kernel."""
    out = {}
    for group in attention.groups():
        out.setdefault(attention.stem(group[0]), []).extend(group)
    for dt in CTYPES:
        for n in (softmax.names(dt, "fwd") + softmax.names(dt, "bwd")
                  + softmax.teaching_names(dt)):
            out.setdefault(softmax.stem(n), []).append(n)
        out.setdefault("reduce", []).extend(reduce.names(dt) + reduce.ladder_names(dt))
        for n in cross_entropy.names(dt) + cross_entropy.teaching_names(dt):
            out.setdefault(cross_entropy.stem(n), []).append(n)
        if dt != "float16":     # (the LCE path covers float32 and float64)
            out.setdefault(linear_cross_entropy.STEM, []).extend(
                linear_cross_entropy.names(dt) + linear_cross_entropy.teaching_names(dt))
    return {k: sorted(set(v)) for k, v in out.items()}


def instantiation_source(stem: str, names) -> str:
    """kernels/<stem>.cu plus a table taking each kernel's address (forces instantiation)."""
    src = (kernel_dir() / f"{stem}.cu").read_text()
    table = ",\n".join(f"    (void*)&{n}" for n in names)
    return f"{src}\nvoid* minigrad_instantiations[] = {{\n{table}\n}};\n"


def compile_names(stem: str, names, ptxas: bool = False) -> str:
    """nvcc-compile the instantiations; returns the compiler log, raises on failure."""
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        raise RuntimeError("nvcc not found")
    with tempfile.TemporaryDirectory() as tmp:
        cu = Path(tmp) / f"{stem}_inst.cu"
        cu.write_text(instantiation_source(stem, names))
        mode = ["-cubin", "-Xptxas", "-v"] if ptxas else ["-ptx"]
        cmd = [nvcc, *mode, "-arch=sm_90", "-std=c++17", f"-I{kernel_dir()}",
               "-o", str(Path(tmp) / "out"), str(cu)]
        res = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(f"nvcc failed for {stem}:\n{res.stderr[-4000:]}")
    return res.stderr


def resources(log: str) -> list:
    """[(mangled kernel, registers, spill bytes)] parsed from a ptxas -v log."""
    rows, cur, spill = [], None, 0
    for line in log.splitlines():
        m = re.search(r"Compiling entry function '(\S+)'", line)
        if m:
            cur, spill = m.group(1), 0
        m = re.search(r"(\d+) bytes spill stores", line)
        if m:
            spill = int(m.group(1))
        m = re.search(r"Used (\d+) registers", line)
        if m and cur:
            rows.append((cur, int(m.group(1)), spill))
    return rows


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    ptxas = "--ptxas" in argv
    for stem, names in all_names().items():
        log = compile_names(stem, names, ptxas)
        print(f"{stem}: {len(names)} instantiations compile")
        if ptxas:
            for name, regs, spill in sorted(resources(log), key=lambda r: -r[1]):
                if spill:
                    print(f"  spills {spill:4d} B, {regs:3d} registers: {name}")


if __name__ == "__main__":
    main()
