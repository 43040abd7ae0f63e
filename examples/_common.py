"""Shared plumbing for the examples: arguments, progress bars, accuracy, plots, run folder."""
from __future__ import annotations

import argparse
import os

import minigrad as mg


def parser(description: str, epochs: int, lr: float, batch_size: int) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description,
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--epochs", type=int, default=epochs, help="passes over the training set")
    p.add_argument("--batch-size", type=int, default=batch_size, help="samples per step")
    p.add_argument("--lr", type=float, default=lr, help="learning rate")
    p.add_argument("--device", default="cpu", help="'cpu' or 'cuda' (needs CuPy and a GPU)")
    p.add_argument("--seed", type=int, default=0, help="seed for init, shuffling and the split")
    p.add_argument("--limit", type=int, default=None,
                   help="use only the first N training samples (for quick smoke runs)")
    p.add_argument("--out", default="runs", help="folder for the plot and the checkpoint")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def digits_data(args, device: str):
    """The digits split used by every digits example: (train loader, x_test, y_test).
    80/20 split seeded by --seed, the training set cut to --limit samples when given."""
    from minigrad.data import DataLoader, TensorDataset
    from minigrad.data.datasets import load_digits, train_test_split
    images, labels = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(images, labels, test_size=0.2,
                                                        seed=args.seed)
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size,
                        shuffle=True, seed=args.seed, device=device)
    return loader, x_test.to(device), y_test.to(device)


def check_device(name: str) -> str:
    if name.startswith("cuda") and not mg.cuda.is_available():
        raise SystemExit(f"--device {name}: CUDA is not available (install CuPy: "
                         "pip install 'minigrad[cuda12]', and run on a machine with a GPU)")
    return name


def progress(iterable, desc: str, quiet: bool):
    """A tqdm bar per epoch (plain iteration when tqdm is missing or --quiet)."""
    if quiet:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=desc, leave=False, dynamic_ncols=True)


@mg.no_grad()
def accuracy(model, x, y, batch: int = 512) -> float:
    """Fraction of rows whose argmax over the logits equals the label (eval mode)."""
    was_training = model.training
    model.eval()
    correct = 0
    for i in range(0, len(y), batch):
        correct += int((model(x[i:i + batch]).argmax(-1) == y[i:i + batch]).sum().item())
    model.train(was_training)
    return correct / len(y)


def run_dir(out: str) -> str:
    os.makedirs(out, exist_ok=True)
    return out


def save_plot(history: dict, path: str, title: str) -> str | None:
    """Plot each series of `history` against the epoch into a PNG (matplotlib, Agg)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install 'minigrad[examples]')")
        return None
    fig, axes = plt.subplots(1, len(history), figsize=(4.5 * len(history), 3.5))
    axes = axes if len(history) > 1 else [axes]
    for ax, (name, values) in zip(axes, history.items()):
        ax.plot(range(1, len(values) + 1), values, marker="o")
        ax.set_xlabel("epoch")
        ax.set_title(name)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
