"""mg.autograd.detect_anomaly / set_detect_anomaly against torch's: a backward that returns
NaN raises naming the node and the output, after a warning with the forward traceback;
nothing is checked when it is off."""
import warnings

import numpy as np
import pytest
import torch

import minigrad as mg


def _nan_backward(lib):
    x = lib.tensor(np.array([0.0, 1.0]), requires_grad=True)
    y = x.sqrt() * 0                   # sqrt's gradient at 0 is inf; inf * 0 = nan
    return x, y.sum()


@pytest.mark.parametrize("lib", [mg, torch], ids=["minigrad", "torch"])
def test_nan_in_backward_raises_with_the_forward_traceback(lib):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with lib.autograd.detect_anomaly():
            assert lib.is_anomaly_enabled() if lib is torch else mg.autograd.is_anomaly_enabled()
            x, loss = _nan_backward(lib)
            with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward0?' returned nan "
                                                   r"values in its 0th output\."):
                loss.backward()
    text = "\n".join(str(m.message) for m in w)
    assert "Anomaly Detection has been enabled" in text
    assert "Traceback of forward call that caused the error" in text
    assert "y = x.sqrt() * 0" in text            # the user's line is on screen


def test_off_by_default_and_check_nan_false():
    x, loss = _nan_backward(mg)
    loss.backward()                            # no check: nan flows into .grad, as torch
    assert np.isnan(x.grad.numpy()[0])
    assert not mg.autograd.is_anomaly_enabled()
    with mg.autograd.set_detect_anomaly(True, check_nan=False):
        x, loss = _nan_backward(mg)
        loss.backward()
    with mg.autograd.set_detect_anomaly(True):
        x, loss = _nan_backward(mg)
        with pytest.raises(RuntimeError, match="returned nan"):
            loss.backward()
    assert not mg.autograd.is_anomaly_enabled()
    with pytest.raises(TypeError, match="mode"):
        mg.autograd.set_detect_anomaly("yes")


def test_decorator_form():
    @mg.autograd.detect_anomaly()
    def run():
        x, loss = _nan_backward(mg)
        loss.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="SqrtBackward"):
            run()
    assert not mg.autograd.is_anomaly_enabled()
