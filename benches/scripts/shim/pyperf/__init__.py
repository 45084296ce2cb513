"""A stand-in for pyperf's benchmark API, used by pycopt-bench's driver.

pyperformance's benchmarks are written against ``pyperf.Runner``. The real
Runner spawns worker processes and calibrates loops itself; pycopt-bench needs
one process to run each benchmark function a fixed number of times, either
under opcode counting (``count``) or timed (``time``), while the harness
interleaves variants across processes. This module offers the same calls
(``Runner``, ``bench_func``, ``bench_time_func``, ``bench_async_func``,
``perf_counter``) and hands the work to the session the driver installs.

It is only put on ``sys.path`` by ``bench_driver.py``; it is never installed.
"""

import argparse
import platform
import time

perf_counter = time.perf_counter

__version__ = "0.0-pycopt-bench-shim"
VERSION = (0, 0)

# Set by bench_driver.py: an object with run_time_func(name, time_func, args,
# inner_loops).
_session = None


def python_implementation():
    return platform.python_implementation().lower()


def python_has_jit():
    return False


class Runner(object):
    """The subset of ``pyperf.Runner`` that benchmark scripts call."""

    def __init__(self, values=None, processes=None, loops=0, min_time=0.1,
                 metadata=None, show_name=True, program_args=None,
                 add_cmdline_args=None, _argparser=None, warmups=None,
                 **kwargs):
        self.metadata = dict(metadata or {})
        self.argparser = _argparser or argparse.ArgumentParser()
        self.args = None

    def parse_args(self, args=None):
        if self.args is None:
            self.args = self.argparser.parse_args(args)
        return self.args

    def _session(self):
        if _session is None:
            raise RuntimeError("pyperf shim used outside pycopt-bench's driver")
        self.parse_args()
        return _session

    def bench_time_func(self, name, time_func, *args, **kwargs):
        inner = kwargs.get("inner_loops") or 1
        return self._session().run_time_func(name, time_func, args, inner)

    def bench_func(self, name, func, *args, **kwargs):
        inner = kwargs.get("inner_loops") or 1

        def time_func(loops, *a):
            t0 = perf_counter()
            for _ in range(loops):
                func(*a)
            return perf_counter() - t0

        return self._session().run_time_func(name, time_func, args, inner)

    def bench_async_func(self, name, func, *args, **kwargs):
        import asyncio
        inner = kwargs.get("inner_loops") or 1

        def time_func(loops, *a):
            async def many():
                t0 = perf_counter()
                for _ in range(loops):
                    await func(*a)
                return perf_counter() - t0
            return asyncio.run(many())

        return self._session().run_time_func(name, time_func, args, inner)

    def bench_command(self, name, command):
        raise NotImplementedError(
            "pycopt-bench runs benchmarks in-process; bench_command is not supported")
