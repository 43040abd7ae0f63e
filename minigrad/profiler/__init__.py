"""mg.profiler: where the time and memory of a program go, with torch.profiler's names.

    from minigrad.profiler import profile, record_function, ProfilerActivity
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        with record_function("forward"):
            y = model(x)
        y.sum().backward()
    print(prof.key_averages().table(sort_by="self_cpu_time_total"))

Read profile.py (the front), recorder.py (how ops are timed: two functions swapped in while
recording, so an idle profiler costs nothing), events.py (events, totals and self times),
table.py and chrome.py (the two outputs), scheduling.py (activities, schedules,
record_function). docs/tour.md (chapter 13) walks through reading a profile.
"""
from .events import DeviceType, EventList, FunctionEvent, FunctionEventAvg  # noqa: F401
from .profile import profile
from .scheduling import (ProfilerAction, ProfilerActivity, record_function, schedule,
                         supported_activities, tensorboard_trace_handler)

__all__ = ["profile", "record_function", "ProfilerActivity", "ProfilerAction", "schedule",
           "supported_activities", "tensorboard_trace_handler"]
