"""nn.MultiheadAttention and nn.WindowAttention against torch (float64, torch's weights loaded)."""
import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad.testing import assert_close

RTOL, ATOL = 1e-9, 1e-11


def randn(*shape):
    return np.random.default_rng().standard_normal(shape)


def pair(E=8, H=2, **kw):
    """A torch MultiheadAttention and a minigrad one holding the same (float64) weights."""
    tm = torch.nn.MultiheadAttention(E, H, **kw)
    for p in tm.parameters():                 # non-zero biases so that they are exercised
        torch.nn.init.normal_(p, std=0.3)
    mm = mg.nn.MultiheadAttention(E, H, dtype=mg.float64, **kw)
    mm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    return tm, mm


def compare(tm, mm, arrays, **kw):
    """Outputs, weights and the gradients of inputs and parameters for a random upstream."""
    mx = [mg.tensor(a, requires_grad=True) for a in arrays]
    tx = [torch.tensor(a, requires_grad=True) for a in arrays]
    conv = {k: (mg.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    tconv = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    mo, mw = mm(*mx, **conv)
    to, tw = tm(*tx, **tconv)
    assert_close(mo, to.detach(), RTOL, ATOL, "output: ")
    assert (mw is None) == (tw is None)
    wo = randn(*to.shape)
    m_loss, t_loss = (mo * mg.tensor(wo)).sum(), (to * torch.tensor(wo)).sum()
    if tw is not None:
        assert_close(mw, tw.detach(), RTOL, ATOL, "weights: ")
        ww = randn(*tw.shape)
        m_loss, t_loss = m_loss + (mw * mg.tensor(ww)).sum(), t_loss + (tw * torch.tensor(ww)).sum()
    if torch.isnan(t_loss):
        return mo, mw
    m_loss.backward()
    t_loss.backward()
    for k, (a, b) in enumerate(zip(mx, tx)):
        if b.grad is not None:
            assert_close(a.grad, b.grad, RTOL, ATOL, f"grad of input {k}: ")
    tparams = dict(tm.named_parameters())
    for name, p in mm.named_parameters():
        assert_close(p.grad, tparams[name].grad, RTOL, ATOL, f"grad of {name}: ")
    return mo, mw


def test_parameter_names_and_shapes():
    tm, mm = pair(12, 3)
    assert [(n, tuple(p.shape)) for n, p in mm.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    tm, mm = pair(12, 3, kdim=5, vdim=7)
    assert [(n, tuple(p.shape)) for n, p in mm.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    assert mm.in_proj_weight is None and not mm._qkv_same_embed_dim


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_self_attention_with_key_padding_mask(batch_first, need_weights, average):
    tm, mm = pair(8, 2, batch_first=batch_first)
    x = randn(3, 5, 8)
    kpm = np.zeros((3, 5) if batch_first else (5, 3), bool)    # (N, S)
    kpm[0, -2:] = True
    kpm[2, 1] = True
    compare(tm, mm, [x, x, x], key_padding_mask=kpm, need_weights=need_weights,
            average_attn_weights=average)


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("mask_kind", ["bool2d", "float2d", "float3d", "causal"])
def test_attn_mask_and_cross_attention(need_weights, mask_kind):
    tm, mm = pair(8, 2)
    q, k = randn(4, 3, 8), randn(6, 3, 8)                 # L = 4, S = 6, N = 3 (seq first)
    kw = {}
    if mask_kind == "bool2d":
        m = np.random.default_rng().random((4, 6)) < 0.3
        m[:, 0] = False
    elif mask_kind == "float2d":
        m = randn(4, 6)
    elif mask_kind == "float3d":
        m = randn(3 * 2, 4, 6)
    else:
        m = ~np.tril(np.ones((4, 6), bool))
        kw["is_causal"] = True
    kpm = np.zeros((3, 6), bool)
    kpm[1, 3:] = True
    compare(tm, mm, [q, k, k.copy()], attn_mask=m, key_padding_mask=kpm,
            need_weights=need_weights, **kw)


@pytest.mark.parametrize("need_weights", [True, False])
def test_kdim_vdim_no_bias(need_weights):
    tm, mm = pair(8, 4, kdim=5, vdim=3, bias=False, batch_first=True)
    compare(tm, mm, [randn(2, 4, 8), randn(2, 6, 5), randn(2, 6, 3)],
            need_weights=need_weights)


def test_unbatched():
    tm, mm = pair(8, 2)
    kpm = np.array([False, True, False, False, False, False])
    compare(tm, mm, [randn(4, 8), randn(6, 8), randn(6, 8)], key_padding_mask=kpm,
            average_attn_weights=False)


@pytest.mark.parametrize("need_weights", [True, False])
def test_fully_masked_rows(need_weights):
    # torch 2.13: the weights path gives NaN for a row that attends nothing, the SDPA path 0
    tm, mm = pair(8, 2, batch_first=True)
    x = randn(2, 3, 8)
    kpm = np.zeros((2, 3), bool)
    kpm[0] = True
    mo, _ = compare(tm, mm, [x, x, x], key_padding_mask=kpm, need_weights=need_weights)
    out = mo.detach().numpy()
    if need_weights:
        assert np.isnan(out[0]).all() and not np.isnan(out[1]).any()
    else:
        assert np.isfinite(out).all()


def test_eval_ignores_dropout_train_applies_it():
    tm, mm = pair(8, 2, dropout=0.5)
    tm.eval()
    mm.eval()
    x = randn(3, 2, 8)
    compare(tm, mm, [x, x, x])
    mm.train()
    a, _ = mm(*(mg.tensor(x) for _ in range(3)))
    b, _ = mm(*(mg.tensor(x) for _ in range(3)))
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())


def test_errors():
    with pytest.raises(AssertionError, match="divisible"):
        mg.nn.MultiheadAttention(10, 3)
    mm = mg.nn.MultiheadAttention(8, 2)
    x = mg.randn(3, 2, 8)
    with pytest.raises(RuntimeError, match="is_causal"):
        mm(x, x, x, is_causal=True)
    with pytest.raises(AssertionError, match="key_padding_mask"):
        mm(x, x, x, key_padding_mask=mg.zeros(3, 3, dtype=mg.bool))
    with pytest.raises(RuntimeError, match="attn_mask"):
        mm(x, x, x, attn_mask=mg.zeros(2, 3))
    with pytest.raises(AssertionError, match="query last dim"):
        mm(mg.randn(3, 2, 7), x, x)


# ---- Swin window attention --------------------------------------------------------------
class TorchWindowAttention(torch.nn.Module):
    """The seed's pattern, written as Swin's reference implementation does."""

    def __init__(self, dim, window_size, num_heads):
        super().__init__()
        self.window_size, self.num_heads = window_size, num_heads
        self.scale = (dim // num_heads) ** -0.5
        wh, ww = window_size
        self.relative_position_bias_table = torch.nn.Parameter(
            torch.randn((2 * wh - 1) * (2 * ww - 1), num_heads))
        coords = torch.stack(torch.meshgrid(torch.arange(wh), torch.arange(ww), indexing="ij"))
        flat = torch.flatten(coords, 1)
        rel = (flat[:, :, None] - flat[:, None, :]).permute(1, 2, 0).contiguous()
        rel[:, :, 0] += wh - 1
        rel[:, :, 1] += ww - 1
        rel[:, :, 0] *= 2 * ww - 1
        self.register_buffer("relative_position_index", rel.sum(-1))
        self.qkv = torch.nn.Linear(dim, dim * 3)
        self.proj = torch.nn.Linear(dim, dim)

    def forward(self, x, mask=None):
        B_, N, C = x.shape
        qkv = self.qkv(x).reshape(B_, N, 3, self.num_heads, C // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        n = self.window_size[0] * self.window_size[1]
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)].view(
            n, n, -1).permute(2, 0, 1).contiguous()
        attn = attn + bias.unsqueeze(0)
        if mask is not None:
            nW = mask.shape[0]
            attn = attn.view(B_ // nW, nW, self.num_heads, N, N) + mask.unsqueeze(1).unsqueeze(0)
            attn = attn.view(-1, self.num_heads, N, N)
        attn = attn.softmax(-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B_, N, C))


@pytest.mark.parametrize("with_mask", [False, True])
def test_window_attention_matches_swin(with_mask):
    tm = TorchWindowAttention(8, (2, 3), 2)
    mm = mg.nn.WindowAttention(8, (2, 3), 2).to(mg.float64)
    np.testing.assert_array_equal(mm.relative_position_index.numpy(),    # built by us
                                  tm.relative_position_index.numpy())
    mm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = randn(4, 6, 8)
    mask = np.where(np.random.default_rng().random((2, 6, 6)) < 0.3, -100.0, 0.0) \
        if with_mask else None
    mx, tx = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mo = mm(mx, None if mask is None else mg.tensor(mask))
    to = tm(tx, None if mask is None else torch.tensor(mask))
    assert_close(mo, to.detach(), RTOL, ATOL, "output: ")
    w = randn(*to.shape)
    (mo * mg.tensor(w)).sum().backward()
    (to * torch.tensor(w)).sum().backward()
    assert_close(mx.grad, tx.grad, RTOL, ATOL, "grad of x: ")
    tparams = dict(tm.named_parameters())
    for name, p in mm.named_parameters():
        assert_close(p.grad, tparams[name].grad, RTOL, ATOL, f"grad of {name}: ")


def test_relative_bias_table_gradient_accumulates():
    # 3x3 window: 81 (query, key) pairs read only 25 table rows, so rows are used repeatedly
    mm = mg.nn.WindowAttention(4, (3, 3), 1)
    idx = mm.relative_position_index.numpy().reshape(-1)
    assert len(np.unique(idx)) == 25 and idx.size == 81
    bias = mm.relative_position_bias()                       # (1, 9, 9)
    g = randn(1, 9, 9)
    (bias * mg.tensor(g.astype(np.float32))).sum().backward()
    expected = np.zeros((25, 1))
    np.add.at(expected, idx, g.reshape(-1, 1))
    np.testing.assert_allclose(mm.relative_position_bias_table.grad.numpy(), expected,
                               rtol=1e-5, atol=1e-5)
