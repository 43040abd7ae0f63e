"""CTCLoss: the module form of F.ctc_loss (torch.nn.CTCLoss)."""
from __future__ import annotations

from ..ops.ctc import ctc_loss
from .loss import _Loss


class CTCLoss(_Loss):
    """Connectionist temporal classification loss with torch.nn.CTCLoss's arguments (blank,
    reduction, zero_infinity); forward(log_probs, targets, input_lengths, target_lengths)."""

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__(reduction=reduction)
        # (checked by ctc_loss at the call, as torch does)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                        self.reduction, self.zero_infinity)

    def extra_repr(self):
        return ""                       # torch prints CTCLoss() whatever the options
