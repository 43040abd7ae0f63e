"""A tiny GPT: a byte-level language model of Python source, trained on the Python standard
library's own .py files (every machine has them), with F.linear_cross_entropy as the head.

Decoder-only: byte embedding + learned position embedding, a stack of causal pre-norm
TransformerEncoderLayers, a final LayerNorm, and the output layer tied to the embedding
(the logits are h @ embedding^T). The loss is F.linear_cross_entropy(h, embedding, target,
options=LinearCrossEntropyOptions()): the chunked path, which never holds the
(tokens, 256) logits (tiny here; the same code serves a 50k vocabulary).

    python examples/tiny_gpt.py [--epochs 6] [--dim 96] [--depth 3] [--device cuda]

It prints the validation loss beside the unigram baseline (the loss of predicting every
byte from the training set's byte frequencies), saves a loss plot and a checkpoint, and
samples text from the model at the end.
"""
from __future__ import annotations

import glob
import os
import sysconfig

import numpy as np
from _common import check_device, parser, progress, run_dir, save_plot

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


def stdlib_corpus(max_bytes: int, seed: int):
    """(train bytes, validation bytes): the stdlib's top-level .py files in sorted order,
    shuffled by `seed`, cut to max_bytes in all; the last tenth of the files validates."""
    files = sorted(glob.glob(os.path.join(sysconfig.get_paths()["stdlib"], "*.py")))
    if not files:
        raise SystemExit("no .py files found in the standard library folder")
    order = np.random.default_rng(seed).permutation(len(files))
    texts, size = [], 0
    for k in order:
        with open(files[k], "rb") as f:
            data = f.read()
        texts.append(data)
        size += len(data)
        if size >= max_bytes:
            break
    cut = max(1, len(texts) // 10)
    val, train = b"\n".join(texts[:cut]), b"\n".join(texts[cut:])
    return (np.frombuffer(train[:max_bytes], np.uint8).astype(np.int64),
            np.frombuffer(val[:max_bytes // 8], np.uint8).astype(np.int64))


def unigram_loss(train, val):
    """Cross-entropy (nats per byte) of the validation bytes under the training bytes'
    frequencies (add-one smoothing): what a model that ignores context achieves."""
    counts = np.bincount(train, minlength=256) + 1.0
    logp = np.log(counts / counts.sum())
    return float(-logp[val].mean())


class TinyGPT(nn.Module):
    def __init__(self, context=64, dim=96, depth=3, heads=4, dropout=0.1):
        super().__init__()
        self.context = context
        self.embed = nn.Embedding(256, dim)
        self.pos = nn.Parameter(mg.zeros(context, dim))
        nn.init.normal_(self.embed.weight, std=0.02)
        nn.init.normal_(self.pos, std=0.02)
        self.blocks = nn.ModuleList([
            nn.TransformerEncoderLayer(dim, heads, 4 * dim, dropout=dropout, activation="gelu",
                                       batch_first=True, norm_first=True)
            for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.options = nn.LinearCrossEntropyOptions()

    def hidden(self, idx):
        """(B, T) bytes -> (B, T, dim) states; position t sees bytes 0..t only."""
        t = idx.shape[1]
        h = self.embed(idx) + self.pos[:t]
        mask = mg.triu(mg.full((t, t), float("-inf"), device=idx.device), diagonal=1)
        for block in self.blocks:
            h = block(h, src_mask=mask, is_causal=True)
        return self.norm(h)

    def loss(self, idx, target):
        """Mean next-byte cross-entropy; the output layer is the embedding (weight tying)."""
        h = self.hidden(idx)
        return F.linear_cross_entropy(h.reshape(-1, h.shape[-1]), self.embed.weight,
                                      target.reshape(-1), options=self.options)

    @mg.no_grad()
    def generate(self, prompt: bytes, n: int, temperature: float = 0.8, seed: int = 0):
        rng = np.random.default_rng(seed)
        out = list(prompt)
        device = self.pos.device
        for _ in range(n):
            idx = mg.tensor([out[-self.context:]], device=device)
            logits = self.hidden(idx)[0, -1] @ self.embed.weight.t()
            p = F.softmax(logits / temperature, dim=-1).cpu().numpy().astype(np.float64)
            out.append(int(rng.choice(256, p=p / p.sum())))
        return bytes(out)


def windows(data, starts, context, device):
    """Inputs data[s : s + context] and targets data[s + 1 : s + context + 1] per start."""
    idx = starts[:, None] + np.arange(context)
    return mg.tensor(data[idx], device=device), mg.tensor(data[idx + 1], device=device)


@mg.no_grad()
def evaluate(model, data, context, device, n_windows=64, seed=0):
    """Mean validation loss and next-byte accuracy over fixed windows."""
    model.eval()
    starts = np.random.default_rng(seed).integers(0, len(data) - context - 1, n_windows)
    x, y = windows(data, starts, context, device)
    h = model.hidden(x).reshape(-1, model.embed.weight.shape[1])
    loss = F.linear_cross_entropy(h, model.embed.weight, y.reshape(-1),
                                  options=model.options).item()
    acc = ((h @ model.embed.weight.t()).argmax(-1) == y.reshape(-1)).float().mean().item()
    model.train()
    return loss, acc


def main(argv=None):
    p = parser(__doc__.splitlines()[0], epochs=6, lr=2e-3, batch_size=32)
    p.add_argument("--dim", type=int, default=96, help="model width")
    p.add_argument("--depth", type=int, default=3, help="transformer layers")
    p.add_argument("--heads", type=int, default=4, help="attention heads")
    p.add_argument("--context", type=int, default=64, help="bytes of context")
    p.add_argument("--steps", type=int, default=100, help="training steps per epoch")
    p.add_argument("--corpus-bytes", type=int, default=2_000_000,
                   help="bytes of stdlib source to read (train + validation)")
    p.add_argument("--sample", type=int, default=300, help="bytes to sample at the end")
    args = p.parse_args(argv)
    device = check_device(args.device)
    mg.manual_seed(args.seed)
    train, val = stdlib_corpus(args.corpus_bytes, args.seed)
    baseline = unigram_loss(train, val)
    model = TinyGPT(args.context, args.dim, args.depth, args.heads).to(device)
    opt = mg.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.steps if args.limit is None else max(1, args.limit // args.batch_size)
    sched = mg.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(args.epochs * steps, 1))
    rng = np.random.default_rng(args.seed)
    print(f"{len(train)} training bytes, {len(val)} validation bytes; "
          f"{sum(q.numel() for q in model.parameters())} parameters; unigram baseline "
          f"{baseline:.4f} nats/byte")
    history = {"train loss": [], "validation loss": []}
    for epoch in range(1, args.epochs + 1):
        total = 0.0
        for _ in progress(range(steps), f"epoch {epoch}/{args.epochs}", args.quiet):
            starts = rng.integers(0, len(train) - args.context - 1, args.batch_size)
            x, y = windows(train, starts, args.context, device)
            loss = model.loss(x, y)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item()
        val_loss, val_acc = evaluate(model, val, args.context, device)
        history["train loss"].append(total / steps)
        history["validation loss"].append(val_loss)
        print(f"epoch {epoch:2d}  train loss {total / steps:.4f}  validation loss "
              f"{val_loss:.4f}  (unigram baseline {baseline:.4f})")
    out = run_dir(args.out)
    save_plot(history, os.path.join(out, "tiny_gpt.png"), "tiny GPT on the Python stdlib")
    mg.save({"model": model.state_dict()}, os.path.join(out, "tiny_gpt.npz"))
    if args.sample:
        text = model.generate(b"def ", args.sample, seed=args.seed)
        print("---- sample ----\n" + text.decode("utf-8", errors="replace") + "\n----")
    val_loss, val_acc = evaluate(model, val, args.context, device)
    print(f"validation loss {val_loss:.4f} vs unigram baseline {baseline:.4f}; "
          f"next-byte accuracy: {val_acc:.4f}")


if __name__ == "__main__":
    main()
