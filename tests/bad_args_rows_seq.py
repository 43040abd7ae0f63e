"""Rows of the bad-argument sweep: issue 15, sequences (ctc_loss, embedding_bag,
pad_sequence, parameter containers).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *


# ---- issue 15: seq ----
def _pad(lib, *args, **kwargs):
    if lib.__name__ == "torch":
        from torch.nn.utils.rnn import pad_sequence
    else:
        from minigrad.nn.utils.rnn import pad_sequence
    return pad_sequence(*args, **kwargs)


ALIASES.update({"CTCLoss": ("ctc_loss",), "EmbeddingBag": ("embedding_bag",),
                "pack_sequence": ("pad_sequence", "pack_padded_sequence")})
LP = Arr(5, 2, 4)
TG = Arr(2, 3, kind="i", high=4)
# Arguments whose bad tensor values make torch read outside its tensors (undefined behaviour:
# garbage or a crash; minigrad raises) are varied as objects only (None, numbers, strings,
# lists), here and in tests/test_bad_args.py's random draws: ctc_loss's targets (a class
# index outside [0, C)), embedding_bag's offsets (torch crashes on some), packing's lengths
# (torch packs a length beyond the input's). tests/test_seq*.py check their errors instead.
_TG = {"targets": "object"}
row("F.ctc_loss", LP, TG, (5, 4), (3, 2), 0, "mean", False, kinds=_TG)
row("F.ctc_loss", LP, Arr(5, kind="i", high=4, seed=1), Arr(2, kind="i", fixed=[5, 3]),
    Arr(2, kind="i", fixed=[3, 2]), blank=0, reduction="sum", zero_infinity=True, kinds=_TG)
row("nn.CTCLoss", 0, "mean", False, inputs=(LP, TG, (5, 4), (3, 2)))
row("nn.CTCLoss.forward", LP, TG, (5, 4), (3, 2), ctor=((0, "mean", False), {}), kinds=_TG)
EB_W = Arr(6, 3)
EB_X = Arr(5, kind="i", high=6)
EB_OFF = Arr(3, kind="i", fixed=[0, 2, 2])
_OFF = {"offsets": "object"}
row("F.embedding_bag", EB_X, EB_W, EB_OFF, None, 2.0, False, "sum", False, None, False, 1,
    kinds=_OFF)
row("F.embedding_bag", Arr(2, 3, kind="i", high=6), EB_W, max_norm=1.0, norm_type=2.0,
    mode="mean", scale_grad_by_freq=True, padding_idx=None)
row("F.embedding_bag", Arr(2, 3, kind="i", high=6), EB_W, mode="sum",
    per_sample_weights=Arr(2, 3, seed=2), include_last_offset=False)
_EB_CTOR = (6, 3, None, 2.0, False, "max")
row("nn.EmbeddingBag", *_EB_CTOR, inputs=(EB_X, EB_OFF))
row("nn.EmbeddingBag.forward", EB_X, EB_OFF, ctor=(_EB_CTOR, {}), kinds=_OFF)
row("nn.EmbeddingBag.from_pretrained", EB_W, True, mode="sum",
    call=lambda L, *a, **k: L.nn.EmbeddingBag.from_pretrained(*a, **k))
row("nn.utils.rnn.pad_sequence", [Arr(3, 2), Arr(1, 2, seed=1)], True, -1.0, "left",
    call=_pad)
row("nn.ParameterList", [X, Y], kinds={"values": "object"},
    call=lambda L, v: L.nn.ParameterList(v))
row("nn.ParameterDict", {"a": X, "b": Y}, kinds={"parameters": "object"},
    call=lambda L, v: L.nn.ParameterDict(v))


def _rnn(name):
    def call(lib, *args, **kwargs):
        mod = __import__("torch.nn.utils.rnn" if lib.__name__ == "torch"
                         else "minigrad.nn.utils.rnn", fromlist=[name])
        out = getattr(mod, name)(*args, **kwargs)
        return tuple(out) if name.startswith("pack") else out
    return call


def _packed(lib, x, lengths, enforce_sorted):
    mod = __import__("torch.nn.utils.rnn" if lib.__name__ == "torch" else
                     "minigrad.nn.utils.rnn", fromlist=["pack_padded_sequence"])
    return mod.pack_padded_sequence(x, lengths, False, enforce_sorted)


PAD_IN = Arr(5, 4, 2)
row("nn.utils.rnn.pack_padded_sequence", PAD_IN, (5, 3, 3, 1), False, True,
    call=_rnn("pack_padded_sequence"), kinds={"lengths": "object"})
row("nn.utils.rnn.pack_padded_sequence", PAD_IN, (2, 3, 2, 5), batch_first=False,
    enforce_sorted=False, call=_rnn("pack_padded_sequence"), kinds={"lengths": "object"})
row("nn.utils.rnn.pad_packed_sequence", Expr(_packed, PAD_IN, (2, 3, 2, 5), False), True, 0.5,
    7, call=_rnn("pad_packed_sequence"), kinds={"sequence": "object"})
row("nn.utils.rnn.pack_sequence", [Arr(2, 3), Arr(4, 3, seed=1)], False,
    call=_rnn("pack_sequence"))
row("nn.utils.rnn.unpad_sequence", Arr(4, 3, 2), Arr(3, kind="i", fixed=[2, 4, 1]), False,
    call=_rnn("unpad_sequence"))
row("nn.utils.rnn.unpack_sequence", Expr(_packed, PAD_IN, (2, 3, 2, 5), False),
    call=_rnn("unpack_sequence"), kinds={"packed_sequences": "object"})
