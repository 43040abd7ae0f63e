"""CPU fast paths: the same math as an op's NumPy reference, arranged for speed.

One module per op it speeds up (softmax.py serves softmax, log_softmax and cross_entropy's
row log-sum-exp). Each entry point returns None when it does not apply to its input; the op
then runs its reference (minigrad.fastpath.run makes that choice, in one place).
"""
