"""After a cell times out, the client waits only briefly for its last output (pure logic, no kernel).

A kernel that ignores the interrupt is probed next (``runner.py``): nbclient's ten-second wait
for output from it, once after the cell and once after the probe, cost a hung notebook 16 s.
"""

from __future__ import annotations

import asyncio

import nbformat
from nbclient import NotebookClient

from grader.execute.kernel import INTERRUPTED_IOPUB_TIMEOUT, IOPUB_TIMEOUT, TIMEOUT_ENAME, CappedClient


class _Manager:
    """What nbclient's timeout handler asks of the kernel manager: an interrupt (counted here)."""

    def __init__(self) -> None:
        self.interrupts = 0

    def interrupt_kernel(self) -> None:
        self.interrupts += 1


def test_a_timed_out_cell_waits_briefly_for_its_output_and_the_next_cell_as_long_as_before():
    # the method overridden is nbclient's own (private): renamed there, the override would never run
    assert "_async_handle_timeout" in vars(NotebookClient)
    manager = _Manager()
    client = CappedClient(nbformat.v4.new_notebook(), km=manager, interrupt_on_timeout=True,
                          error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": "cell timed out", "traceback": []},
                          iopub_timeout=IOPUB_TIMEOUT)
    client.start_cell()
    assert client.iopub_timeout == IOPUB_TIMEOUT
    reply = asyncio.run(client._async_handle_timeout(5))
    assert manager.interrupts == 1 and reply["content"]["ename"] == TIMEOUT_ENAME
    assert client.iopub_timeout == INTERRUPTED_IOPUB_TIMEOUT < IOPUB_TIMEOUT
    client.start_cell()  # the runner's next cell
    assert client.iopub_timeout == IOPUB_TIMEOUT
