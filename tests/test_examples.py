"""Smoke tests: every example runs one short epoch end to end and writes its outputs."""
import os
import subprocess
import sys

import pytest

import minigrad as mg

pytest.importorskip("sklearn")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FAST = ["--epochs", "1", "--limit", "96", "--quiet", "--batch-size", "32"]
EXAMPLES = {"digits_cnn": [], "distillation": ["--teacher-epochs", "1"],
            "breast_cancer_bce": [], "tiny_vit": ["--dim", "16", "--depth", "1"],
            "tiny_gpt": ["--dim", "16", "--depth", "1", "--sample", "20",
                         "--corpus-bytes", "200000"]}


def _run(name, args):
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, os.path.join(ROOT, "examples", f"{name}.py"), *args],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs_one_short_epoch(tmp_path, name):
    res = _run(name, FAST + EXAMPLES[name] + ["--out", str(tmp_path)])
    assert res.returncode == 0, res.stderr[-3000:]
    last = res.stdout.strip().splitlines()[-1]
    assert "accuracy" in last
    assert (tmp_path / f"{name}.png").exists() or "matplotlib is not installed" in res.stdout
    ckpt = mg.load(tmp_path / f"{name}.npz")
    assert isinstance(ckpt, dict) and ckpt
    if name == "digits_cnn":            # the README's main job parses this line
        assert last.startswith("test accuracy: ") and len(last.split(": ")[1]) == 6
        assert 0.0 <= float(last.split(": ")[1]) <= 1.0


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_help(name):
    res = _run(name, ["--help"])
    assert res.returncode == 0 and "--device" in res.stdout and "--epochs" in res.stdout


def test_cuda_flag_without_gpu_fails_clearly(tmp_path):
    if mg.cuda.is_available():
        pytest.skip("a GPU is present")
    res = _run("breast_cancer_bce", FAST + ["--device", "cuda", "--out", str(tmp_path)])
    assert res.returncode != 0 and "CUDA is not available" in res.stderr
