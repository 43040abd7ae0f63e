"""Knowledge distillation on the 8x8 digits: a CNN teacher and a small MLP student.

The student is trained twice from the same initialisation: once with plain cross-entropy,
once with the distillation loss (Hinton et al.), where T softens both distributions:

    loss = kl_div(log_softmax(s / T), softmax(t / T), reduction='batchmean') * T**2
           + cross_entropy(s, labels)

Prints the teacher's accuracy and the student's accuracy without and with distillation.
The digits are easy enough that a plain student already gets ~97%, so the difference is
small and goes either way from seed to seed; the point is the loss, written as in torch.

    python examples/distillation.py [--temperature 4] [--device cuda]
"""
from __future__ import annotations

import copy
import os

from _common import accuracy, check_device, digits_data, parser, progress, run_dir, save_plot
from digits_cnn import DigitsCNN

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


def student_net() -> nn.Module:
    """A deliberately small student: 64 -> 24 -> 10 (about a tenth of the teacher)."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 24), nn.ReLU(), nn.Linear(24, 10))


def distillation_loss(student_logits, teacher_logits, labels, temperature: float):
    """KL(teacher_T || student_T) * T^2 (keeps gradient scale independent of T) + CE."""
    t = temperature
    soft = F.kl_div(F.log_softmax(student_logits / t, dim=-1),
                    F.softmax(teacher_logits / t, dim=-1), reduction="batchmean") * t ** 2
    return soft + F.cross_entropy(student_logits, labels)


def train(model, loader, epochs, lr, loss_fn, desc, quiet):
    opt = mg.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(1, epochs + 1):
        model.train()
        total, count = 0.0, 0
        for xb, yb in progress(loader, f"{desc} {epoch}/{epochs}", quiet):
            loss = loss_fn(model, xb, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, count = total + loss.item() * len(yb), count + len(yb)
        losses.append(total / count)
    return losses


def main(argv=None):
    p = parser(__doc__.splitlines()[0], epochs=20, lr=3e-3, batch_size=64)
    p.add_argument("--teacher-epochs", type=int, default=6, help="epochs for the teacher")
    p.add_argument("--temperature", type=float, default=4.0, help="softening temperature T")
    args = p.parse_args(argv)
    device = check_device(args.device)
    mg.manual_seed(args.seed)
    loader, x_test, y_test = digits_data(args, device)

    teacher = DigitsCNN().to(device)
    train(teacher, loader, args.teacher_epochs, args.lr,
          lambda m, x, y: F.cross_entropy(m(x), y), "teacher", args.quiet)
    teacher.eval()
    print(f"teacher accuracy: {accuracy(teacher, x_test, y_test):.4f} "
          f"({sum(q.numel() for q in teacher.parameters())} parameters)")

    init = student_net().to(device)
    plain, distilled = copy.deepcopy(init), copy.deepcopy(init)
    hist_plain = train(plain, loader, args.epochs, args.lr,
                       lambda m, x, y: F.cross_entropy(m(x), y), "student", args.quiet)

    def kd(m, x, y):
        with mg.no_grad():
            t_logits = teacher(x)
        return distillation_loss(m(x), t_logits, y, args.temperature)
    hist_kd = train(distilled, loader, args.epochs, args.lr, kd, "student+KD", args.quiet)

    out = run_dir(args.out)
    save_plot({"student loss (CE)": hist_plain, "student loss (KD + CE)": hist_kd},
              os.path.join(out, "distillation.png"), "distillation")
    mg.save({"teacher": teacher.state_dict(), "student": distilled.state_dict()},
            os.path.join(out, "distillation.npz"))
    print(f"student ({sum(q.numel() for q in init.parameters())} parameters) accuracy "
          f"without distillation: {accuracy(plain, x_test, y_test):.4f}")
    print(f"student accuracy with distillation (T={args.temperature:g}): "
          f"{accuracy(distilled, x_test, y_test):.4f}")


if __name__ == "__main__":
    main()
