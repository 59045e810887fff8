"""Where notebooks execute: two backends of one interface (:class:`Backend`).

:class:`LocalPool` (``grader run --jobs N``) runs them on worker processes of this machine;
:class:`DaskBackend` (``grader run --scheduler ADDRESS``) on a Dask cluster. Both tell a
:class:`Progress` each notebook's facts as it finishes; :func:`grader.schedule.collect_all`
takes either, and never asks which it has.
"""

from grader.backends.base import Backend, Progress, Running
from grader.backends.dask_cluster import DaskBackend
from grader.backends.local import LocalPool

__all__ = ["Backend", "DaskBackend", "LocalPool", "Progress", "Running"]
