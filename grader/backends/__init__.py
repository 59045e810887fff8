"""Where notebooks execute: two backends of one interface (:class:`Backend`).

:class:`LocalPool` (``grader run --jobs N``) runs them on worker processes of this machine;
:class:`DaskBackend` (``grader run --scheduler ADDRESS``) on a Dask cluster. Both tell a
:class:`Progress` each notebook's facts as it finishes; :func:`grader.schedule.collect_all`
takes either, and never asks which it has. A server keeps its backend as long as it runs
(:class:`LastingBackend`): :class:`KeptPool` keeps its local workers, :class:`DaskBackend` its
connection.
"""

from grader.backends.base import Backend, LastingBackend, Progress, Running
from grader.backends.dask_cluster import DaskBackend
from grader.backends.kept import KeptPool
from grader.backends.local import LocalPool

__all__ = ["Backend", "DaskBackend", "KeptPool", "LastingBackend", "LocalPool", "Progress", "Running"]
