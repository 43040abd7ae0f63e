"""Binary classification of the breast-cancer data set with BCEWithLogitsLoss(pos_weight).

Features are standardised with the training set's mean and std; a small MLP outputs one
logit; pos_weight = (#negatives / #positives) rebalances the classes in the loss. Reports
test accuracy and ROC-AUC (computed here from ranks, no scikit-learn needed for it).

    python examples/breast_cancer_bce.py [--device cuda]
"""
from __future__ import annotations

import os

import numpy as np
from _common import check_device, parser, progress, run_dir, save_plot

import minigrad as mg
from minigrad import nn
from minigrad.data import DataLoader, TensorDataset
from minigrad.data.datasets import load_breast_cancer, train_test_split


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve = P(score of a random positive > a random negative),
    from the Mann-Whitney U statistic with average ranks for ties."""
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    for s in np.unique(scores):                      # average the ranks of tied scores
        tie = scores == s
        ranks[tie] = ranks[tie].mean()
    pos = labels == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@mg.no_grad()
def evaluate(model, x, y):
    model.eval()
    logits = model(x).reshape(-1).numpy()
    labels = y.numpy()
    acc = float(((logits > 0) == (labels == 1)).mean())
    return acc, roc_auc(logits, labels)


def main(argv=None):
    args = parser(__doc__.splitlines()[0], epochs=40, lr=1e-3, batch_size=32).parse_args(argv)
    device = check_device(args.device)
    mg.manual_seed(args.seed)
    x, y = load_breast_cancer()
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, seed=args.seed)
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6
    x_train, x_test = (x_train - mean) / std, ((x_test - mean) / std).to(device)
    y_test = y_test.to(device)
    n_pos = float(y_train.sum().item())
    pos_weight = mg.tensor([(len(y_train) - n_pos) / max(n_pos, 1.0)], device=device)
    model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1)).to(device)
    criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    opt = mg.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-2)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size,
                        shuffle=True, seed=args.seed, device=device)
    print(f"{len(y_train)} training / {len(y_test)} test samples, pos_weight "
          f"{pos_weight.item():.3f}")
    history = {"train loss": [], "test ROC-AUC": []}
    for epoch in range(1, args.epochs + 1):
        model.train()
        total, count = 0.0, 0
        for xb, yb in progress(loader, f"epoch {epoch}/{args.epochs}", args.quiet):
            loss = criterion(model(xb).reshape(-1), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, count = total + loss.item() * len(yb), count + len(yb)
        acc, auc = evaluate(model, x_test, y_test)
        history["train loss"].append(total / count)
        history["test ROC-AUC"].append(auc)
        if epoch % 10 == 0 or epoch == args.epochs:
            print(f"epoch {epoch:3d}  loss {total / count:.4f}  accuracy {acc:.4f}  "
                  f"ROC-AUC {auc:.4f}")
    out = run_dir(args.out)
    save_plot(history, os.path.join(out, "breast_cancer_bce.png"), "breast cancer, BCE")
    mg.save({"model": model.state_dict(), "mean": mean, "std": std},
            os.path.join(out, "breast_cancer_bce.npz"))
    acc, auc = evaluate(model, x_test, y_test)
    print(f"test accuracy: {acc:.4f}  ROC-AUC: {auc:.4f}")


if __name__ == "__main__":
    main()
