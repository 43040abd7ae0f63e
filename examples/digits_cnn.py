"""Train a small CNN on scikit-learn's 8x8 handwritten digits (1797 images, offline).

The model is the Conv2d-BatchNorm2d-ReLU-MaxPool2d block pattern followed by a Linear
classifier, trained with cross-entropy and Adam. Each epoch shows a progress bar; at the end
a loss/accuracy plot (PNG) and the model (mg.save) are written to --out, and the last line
printed is the test accuracy.

    python examples/digits_cnn.py                 # CPU, well under a minute
    python examples/digits_cnn.py --device cuda   # same on a GPU
    mpiexec -n 2 python examples/digits_cnn.py --distributed
                                                  # data parallel on 2 processes (MPI; with
                                                  # --device cuda: NCCL, one GPU per process)

With --distributed each process trains a replica on its share of every batch
(DistributedSampler), BatchNorm statistics span all processes (SyncBatchNorm) and
DistributedDataParallel averages the gradients, so N processes take the same steps as one
process on the whole batch (docs/distributed.md). Rank 0 prints and saves.
"""
from __future__ import annotations

import os
import sys
import time

if "--distributed" in sys.argv:
    # N processes share the machine's cores: one BLAS thread each (set before NumPy loads),
    # else every process's thread pool spins on every core and a 2-rank run is ~10x slower
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from _common import accuracy, check_device, digits_data, parser, progress, run_dir, save_plot

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


def block(c_in: int, c_out: int) -> nn.Sequential:
    """Conv2d -> BatchNorm2d -> ReLU -> MaxPool2d: halves the image, widens the channels."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out),
                         nn.ReLU(), nn.MaxPool2d(2))


class DigitsCNN(nn.Module):
    """(N, 1, 8, 8) -> 16 x 4 x 4 -> 32 x 2 x 2 -> 10 logits."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(block(1, 16), block(16, 32))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 2 * 2, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def distribute(args, loader, model, device):
    """Join the process group; give each rank its share of every batch and wrap the model.
    Returns (loader, model, rank, world size)."""
    import minigrad.distributed as dist
    from minigrad.data import DataLoader, DistributedSampler
    from minigrad.nn.parallel import DistributedDataParallel
    dist.init_process_group("nccl" if device.startswith("cuda") else "mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    if args.batch_size % world:
        raise SystemExit(f"--batch-size {args.batch_size} must be a multiple of the "
                         f"{world} processes")
    sampler = DistributedSampler(loader.dataset, seed=args.seed)
    loader = DataLoader(loader.dataset, batch_size=args.batch_size // world, sampler=sampler,
                        device=device)
    model = DistributedDataParallel(nn.SyncBatchNorm.convert_sync_batchnorm(model))
    return loader, model, rank, world


def main(argv=None):
    p = parser(__doc__.splitlines()[0], epochs=12, lr=3e-3, batch_size=64)
    p.add_argument("--distributed", action="store_true",
                   help="data parallel over the processes of `mpiexec -n N` (MPI or NCCL)")
    args = p.parse_args(argv)
    device = check_device(args.device)
    mg.manual_seed(args.seed)
    loader, x_test, y_test = digits_data(args, device)
    model = DigitsCNN().to(device)
    rank, world = 0, 1
    if args.distributed:
        loader, model, rank, world = distribute(args, loader, model, device)
        args.quiet = args.quiet or rank > 0
    opt = mg.optim.Adam(model.parameters(), lr=args.lr)
    sched = mg.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(args.epochs, 1))
    say = print if rank == 0 else (lambda *a, **k: None)
    say(f"{len(loader.dataset)} training / {len(y_test)} test images on {device}"
        + (f" x {world} processes" if args.distributed else "") + "; "
        f"{sum(p.numel() for p in model.parameters())} parameters")
    history = {"train loss": [], "test accuracy": []}
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        if args.distributed:
            loader.sampler.set_epoch(epoch)     # a new shuffle each epoch, the same on all ranks
        total, count = 0.0, 0
        for xb, yb in progress(loader, f"epoch {epoch}/{args.epochs}", args.quiet):
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, count = total + loss.item() * len(yb), count + len(yb)
        sched.step()
        if args.distributed:                    # the mean over every rank's samples
            import minigrad.distributed as dist
            sums = mg.tensor([total, count], dtype=mg.float64)
            dist.all_reduce(sums)
            total, count = sums.tolist()
        acc = accuracy(model, x_test, y_test)
        history["train loss"].append(total / count)
        history["test accuracy"].append(acc)
        say(f"epoch {epoch:2d}  loss {total / count:.4f}  test accuracy {acc:.4f}")
    if rank > 0:
        return
    if args.distributed:
        model = model.module    # the checkpoint holds the plain model's keys
    out = run_dir(args.out)
    plot = save_plot(history, os.path.join(out, "digits_cnn.png"), "digits CNN")
    mg.save({"model": model.state_dict(), "epochs": args.epochs, "history": history},
            os.path.join(out, "digits_cnn.npz"))
    print(f"trained in {time.perf_counter() - start:.1f}s; saved "
          f"{os.path.join(out, 'digits_cnn.npz')}" + (f" and {plot}" if plot else ""))
    print(f"test accuracy: {accuracy(model, x_test, y_test):.4f}")


if __name__ == "__main__":
    main()
