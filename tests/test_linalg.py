"""matmul against torch for 1-D, 2-D and broadcast batched shapes."""
import pytest
import torch
from conftest import check_op

import minigrad as mg

SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
          ((5, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4))]


@pytest.mark.parametrize("sa,sb", SHAPES)
def test_matmul(sa, sb, rng, device):
    check_op(lambda a, b: a @ b, lambda a, b: a @ b,
             [rng.standard_normal(sa), rng.standard_normal(sb)], device=device, double=True)
    check_op(mg.matmul, torch.matmul, [rng.standard_normal(sa), rng.standard_normal(sb)],
             device=device)


def test_matmul_errors():
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be"):
        mg.ones(2, 3) @ mg.ones(4, 5)
    with pytest.raises(RuntimeError, match="batch dims"):
        mg.ones(2, 2, 3) @ mg.ones(3, 3, 4)
    with pytest.raises(RuntimeError, match="matmul: expected both operands to have the same dtype"):
        mg.ones(2, 3) @ mg.ones(3, dtype=mg.float64)
