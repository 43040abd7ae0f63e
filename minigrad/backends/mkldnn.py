"""torch.backends.mkldnn: minigrad does not use oneDNN (the flag is kept, not used)."""
enabled = True


def is_available() -> bool:
    return False
