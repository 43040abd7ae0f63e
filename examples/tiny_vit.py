"""A tiny vision transformer on the 8x8 digits: patch embedding, class token, position
embedding, pre-norm TransformerEncoderLayers (multi-head attention + GELU MLP) wrapped in
stochastic depth (DropPath), a final LayerNorm and a linear head on the class token.

    python examples/tiny_vit.py [--depth 2] [--drop-path 0.1] [--device cuda]
"""
from __future__ import annotations

import os

from _common import accuracy, check_device, digits_data, parser, progress, run_dir, save_plot

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


class StochasticDepth(nn.Module):
    """x + DropPath(layer(x) - x): drops the whole residual update of an encoder layer for
    a random subset of the samples while training (stochastic depth)."""

    def __init__(self, layer: nn.Module, drop_prob: float):
        super().__init__()
        self.layer, self.drop_path = layer, nn.DropPath(drop_prob)

    def forward(self, x):
        return x + self.drop_path(self.layer(x) - x)


class TinyViT(nn.Module):
    """(N, 1, 8, 8) -> 16 patches of 2x2 -> dim-wide tokens (+ class token) -> 10 logits."""

    def __init__(self, dim=32, depth=2, heads=4, patch=2, image=8, drop_path=0.1,
                 num_classes=10):
        super().__init__()
        n = (image // patch) ** 2
        self.patch_embed = nn.Conv2d(1, dim, patch, stride=patch)   # one linear map per patch
        self.cls_token = nn.Parameter(mg.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(mg.zeros(1, n + 1, dim))
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        rates = [drop_path * i / max(depth - 1, 1) for i in range(depth)]   # deeper: more
        self.blocks = nn.ModuleList([
            StochasticDepth(nn.TransformerEncoderLayer(dim, heads, dim_feedforward=2 * dim,
                                                       dropout=0.0, activation="gelu",
                                                       batch_first=True, norm_first=True), r)
            for r in rates])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        tokens = self.patch_embed(x).flatten(2).transpose(1, 2)        # (N, 16, dim)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        h = mg.cat([cls, tokens], dim=1) + self.pos_embed
        for block in self.blocks:
            h = block(h)
        return self.head(self.norm(h[:, 0]))


def main(argv=None):
    p = parser(__doc__.splitlines()[0], epochs=15, lr=3e-3, batch_size=64)
    p.add_argument("--dim", type=int, default=32, help="token width")
    p.add_argument("--depth", type=int, default=2, help="number of encoder layers")
    p.add_argument("--heads", type=int, default=4, help="attention heads")
    p.add_argument("--drop-path", type=float, default=0.1, help="largest DropPath rate")
    args = p.parse_args(argv)
    device = check_device(args.device)
    mg.manual_seed(args.seed)
    loader, x_test, y_test = digits_data(args, device)
    model = TinyViT(args.dim, args.depth, args.heads, drop_path=args.drop_path).to(device)
    opt = mg.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    sched = mg.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(args.epochs, 1))
    print(f"{len(loader.dataset)} training images; {sum(q.numel() for q in model.parameters())} "
          f"parameters")
    history = {"train loss": [], "test accuracy": []}
    for epoch in range(1, args.epochs + 1):
        model.train()
        total, count = 0.0, 0
        for xb, yb in progress(loader, f"epoch {epoch}/{args.epochs}", args.quiet):
            loss = F.cross_entropy(model(xb), yb, label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total, count = total + loss.item() * len(yb), count + len(yb)
        sched.step()
        acc = accuracy(model, x_test, y_test)
        history["train loss"].append(total / count)
        history["test accuracy"].append(acc)
        print(f"epoch {epoch:2d}  loss {total / count:.4f}  test accuracy {acc:.4f}")
    out = run_dir(args.out)
    save_plot(history, os.path.join(out, "tiny_vit.png"), "tiny ViT")
    mg.save({"model": model.state_dict()}, os.path.join(out, "tiny_vit.npz"))
    print(f"test accuracy: {accuracy(model, x_test, y_test):.4f}")


if __name__ == "__main__":
    main()
