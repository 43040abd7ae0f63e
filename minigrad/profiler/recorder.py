"""How a profile sees the ops: two functions swapped in while it records, and nothing else.

Every op runs through Function.apply and every graph node's backward through
engine._call_backward. While a profile records, `install` replaces both with timing
wrappers that open a range, call the original, and close the range; `uninstall` puts the
originals back. With no profile running nothing is wrapped, so the hot paths cost exactly
what they cost before the profiler existed.

A range is opened on the calling thread's stack (threading.local: ops in other threads are
recorded too, each with its own nesting) and closed in a `finally`, so an op that raises
still closes its range and the nesting stays correct. Memory (profile_memory) is the bytes
of the arrays an op returns that are new: not one of its inputs or a view of one, and not
already counted for an op that ran inside it. Frees are not tracked, so no figure is
negative (torch subtracts what a range frees). CUDA time (ProfilerActivity.CUDA) comes from
a pair of CuPy events recorded on the current stream around each op on CuPy arrays, read
once the profile stops.
"""
from __future__ import annotations

import itertools
import os
import sys
import threading
import time
import weakref

import numpy as np

from .. import autograd, backend, engine
from .events import EventList, FunctionEvent, Kernel

_now = time.perf_counter_ns
_tid = threading.get_native_id
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

active = None           # the Recorder that is recording now, if any (one at a time)

SCOPE_FUNCTION, SCOPE_BACKWARD, SCOPE_USER = 0, 1, 7    # torch's RecordScope values
OP_PREFIX = "mg::"      # an op's range is "mg::" + its Function class ("mg::Matmul"), as
                        # torch's are "aten::" + the ATen op; backward nodes keep node.name()


class _Range:
    """An open or finished range, kept cheap; turned into a FunctionEvent when the profile
    stops."""
    __slots__ = ("name", "scope", "tid", "start", "end", "parent", "children", "shapes",
                 "stack", "cpu_bytes", "dev_bytes", "produced", "cuda", "trace_name", "seq")

    def __init__(self, name, scope, parent, tid):
        self.name, self.scope, self.parent, self.tid = name, scope, parent, tid
        self.start = self.end = self.children = self.shapes = self.stack = None
        self.cpu_bytes = self.dev_bytes = 0
        self.produced = self.cuda = self.trace_name = None     # (children: a list once any)
        self.seq = -1


def _array(x):
    """The NumPy/CuPy array of a Tensor, an array itself, else None."""
    if isinstance(x, autograd._Tensor or autograd._tensor_cls()):
        return x.data
    if isinstance(x, np.ndarray) or backend.is_cuda_array(x):
        return x
    return None


def _root(a):
    """The array that owns a's memory (views chain through .base to it)."""
    kind = type(a)
    while True:
        base = a.base
        if base is None or not isinstance(base, (np.ndarray, kind)):
            return a
        a = base


def _shapes(args):
    out = []
    for x in args:
        a = _array(x)
        out.append(list(a.shape) if a is not None else [])
    return out


def _outputs(out):
    if out is None:
        return ()
    return out if isinstance(out, (tuple, list)) else (out,)


def _user_stack():
    """The Python stack of the op's caller, innermost first, minigrad's own frames left out
    ("file(line): function", as torch writes stack entries). Walks the frames directly:
    traceback.extract_stack would also read every source line."""
    out = []
    f = sys._getframe(2)
    while f is not None:
        code = f.f_code
        if not code.co_filename.startswith(_PACKAGE):
            out.append(f"{code.co_filename}({f.f_lineno}): {code.co_name}")
        f = f.f_back
    return out


class Recorder:
    """Collects the ranges of one recording (start_trace to stop_trace)."""

    def __init__(self, record_shapes, profile_memory, with_stack, use_cuda, t0=None):
        self.record_shapes, self.profile_memory = record_shapes, profile_memory
        self.with_stack, self.use_cuda = with_stack, use_cuda
        self.t0 = _now() if t0 is None else t0      # times are microseconds since t0
        self.finished = []              # closed top-level and nested ranges, any thread
        self.closed = False
        self._local = threading.local()
        self._cuda_ref = None           # a CuPy event at the start: the GPU timeline's zero
        self._cuda_ref_device = None
        self._saved = None
        self._seq = itertools.count()
        self._node_seq = weakref.WeakKeyDictionary()    # graph node -> its op's number

    def link_node(self, r, cls, out):
        """Number the graph node this op call made, so its backward range gets the same
        sequence_nr (torch's link from a forward op to its backward)."""
        first = out[0] if type(out) is tuple else out
        node = getattr(first, "grad_fn", None)
        if type(node) is cls and node not in self._node_seq:
            r.seq = self._node_seq[node] = next(self._seq)

    def _stack(self):
        """This thread's open ranges; the thread id rides along as its first item."""
        try:
            return self._local.stack
        except AttributeError:
            st = self._local.stack = [_tid()]
            return st

    # ---- ranges -------------------------------------------------------------------------
    def begin(self, name, scope, inputs=(), cuda_probe=None):
        st = self._stack()
        parent = st[-1] if len(st) > 1 else None
        r = _Range(name, scope, parent, st[0])
        if self.record_shapes:
            r.shapes = _shapes(inputs)
        if self.with_stack and scope == SCOPE_FUNCTION:
            r.stack = _user_stack()
        if self.profile_memory and (scope != SCOPE_USER or (parent is not None
                                                            and parent.produced is not None)):
            r.produced = {}
        if self.use_cuda and cuda_probe is not None and _on_gpu(cuda_probe):
            r.cuda = _cuda_pair(cuda_probe)
        st.append(r)
        r.start = _now()
        return r

    def end(self, r, inputs=(), outputs=()):
        t = _now()
        if r.cuda is not None:
            with backend.cupy_module().cuda.Device(r.cuda[2]):
                r.cuda[1].record()
        r.end = t
        st = self._stack()
        if st[-1] is r:
            st.pop()
        elif r in st:                   # closed out of order (a range left open by hand)
            st.remove(r)
        if self.profile_memory and r.produced is not None:
            self._count_bytes(r, inputs, outputs)
        if self.closed:
            return
        parent = r.parent
        if parent is not None:
            if parent.children is None:
                parent.children = [r]
            else:
                parent.children.append(r)
        self.finished.append(r)

    def _count_bytes(self, r, inputs, outputs):
        """Bytes of r's outputs that are new memory (see the top of this file)."""
        seen = r.produced
        for x in inputs:
            a = _array(x)
            if a is not None:
                seen.setdefault(id(_root(a)), None)
        for x in outputs:
            a = _array(x)
            if a is None:
                continue
            root = _root(a)
            if id(root) in seen:
                continue
            seen[id(root)] = root       # kept alive until the parent closes: ids stay unique
            if isinstance(root, np.ndarray):
                r.cpu_bytes += root.nbytes
            else:
                r.dev_bytes += root.nbytes
        parent = r.parent
        if parent is not None and parent.produced is not None:
            parent.produced.update((k, v) for k, v in seen.items() if v is not None)
        r.produced = None

    # ---- finishing ----------------------------------------------------------------------
    def events(self, use_device, first_id=1):
        """The finished ranges as FunctionEvents, sorted by start (parents before children)."""
        ranges = sorted(self.finished, key=lambda r: (r.start, -r.end))
        made = {}
        out = EventList(use_device=use_device, profile_memory=self.profile_memory)
        for k, r in enumerate(ranges):
            ev = FunctionEvent(
                id=first_id + k, name=r.name, thread=r.tid, start_us=(r.start - self.t0) / 1000,
                end_us=(r.end - self.t0) / 1000, input_shapes=r.shapes or [],
                stack=r.stack if r.stack is not None else [], scope=r.scope,
                use_device=use_device, cpu_memory_usage=r.cpu_bytes,
                device_memory_usage=r.dev_bytes, is_user_annotation=r.scope == SCOPE_USER,
                trace_name=r.trace_name, sequence_nr=r.seq)
            made[id(r)] = ev
            parent = made.get(id(r.parent)) if r.parent is not None else None
            if parent is not None:
                ev.cpu_parent = parent
                parent.cpu_children.append(ev)
            out.append(ev)
        for r in reversed(ranges):      # children first: totals include the children's
            _add_children_totals(r, made)
        return out

    def read_cuda_times(self):
        """Wait for the recorded CuPy events and turn them into per-range device times:
        r.cuda becomes (microseconds, start offset from the profile's reference event,
        device index)."""
        cp = backend.cupy_module()
        for r in self.finished:
            if r.cuda is not None and type(r.cuda[0]) is not float:
                start, end, device = r.cuda
                end.synchronize()
                us = cp.cuda.get_elapsed_time(start, end) * 1000.0
                offset = None
                if self._cuda_ref is not None and self._cuda_ref_device == device:
                    offset = cp.cuda.get_elapsed_time(self._cuda_ref, start) * 1000.0
                r.cuda = (us, offset, device)


def _add_children_totals(r, made):
    """Memory and device time of a range including its children (already totalled)."""
    ev = made[id(r)]
    for c in r.children or ():
        child = made[id(c)]
        ev.cpu_memory_usage += child.cpu_memory_usage
        ev.device_memory_usage += child.device_memory_usage
    if r.cuda is not None and type(r.cuda[0]) is float:
        us, offset, device = r.cuda
        inner = sum(_cuda_inclusive(c) for c in r.children or ())
        ev.kernels.append(Kernel(r.name, device, max(us - inner, 0.0)))
        ev.device_index = device
        ev.device_span = (offset, us)   # for the trace's GPU lane


def _cuda_inclusive(r):
    if r.cuda is not None and type(r.cuda[0]) is float:
        return r.cuda[0]
    return sum(_cuda_inclusive(c) for c in r.children or ())


def _cuda_pair(probe):
    """[start, end, device index]: CuPy events on the probe's device, start recorded now on
    its current stream (where the op's kernels will queue)."""
    cp = backend.cupy_module()
    device = _device_index(probe)
    with cp.cuda.Device(device):
        start, end = cp.cuda.Event(), cp.cuda.Event()
        start.record()
    return [start, end, device]


def _on_gpu(a):
    return backend.is_cuda_array(a)


def _device_index(a):
    return a.device.id


# ---- the two swaps --------------------------------------------------------------------
def install(rec):
    """Start recording into `rec`: wrap Function.apply and engine._call_backward."""
    global active
    if active is not None:
        raise RuntimeError("profile: another profiler is already recording; minigrad records "
                           "one profile at a time (stop the first one before starting another)")
    orig_apply = autograd.Function.__dict__["apply"]
    orig_backward = engine._call_backward
    apply_fn = orig_apply.__func__

    def profiled_apply(cls, *args):
        probe = None
        if rec.use_cuda:
            probe = next((a for a in map(_array, args) if a is not None), None)
        r = rec.begin(OP_PREFIX + cls.__name__, SCOPE_FUNCTION, args, probe)
        out = None
        try:
            out = apply_fn(cls, *args)
            rec.link_node(r, cls, out)
            return out
        finally:
            rec.end(r, args, _outputs(out))

    def profiled_backward(node, gouts, Tensor):
        probe = None
        if rec.use_cuda:
            probe = next((g.data for g in gouts if g is not None), None)
        r = rec.begin(node.name(), SCOPE_BACKWARD, gouts, probe)
        r.seq = rec._node_seq.get(node, -1)
        gins = None
        try:
            gins = orig_backward(node, gouts, Tensor)
            return gins
        finally:
            rec.end(r, gouts, _outputs(gins))

    if rec.use_cuda:
        cp = backend.cupy_module()
        rec._cuda_ref = cp.cuda.Event()
        rec._cuda_ref.record()
        rec._cuda_ref_device = cp.cuda.Device().id
    rec._saved = (orig_apply, orig_backward)
    autograd.Function.apply = classmethod(profiled_apply)
    engine._call_backward = profiled_backward
    active = rec


def uninstall(rec):
    """Put the originals back (safe to call twice, and after an exception)."""
    global active
    if rec._saved is not None:
        autograd.Function.apply, engine._call_backward = rec._saved
        rec._saved = None
    rec.closed = True
    if active is rec:
        active = None

