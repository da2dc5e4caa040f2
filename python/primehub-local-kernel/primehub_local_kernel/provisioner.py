"""Kernel provisioner for PrimeHub Local.

PrimeHub runs each job in its own pod, with its own network namespace. PrimeHub Local runs jobs
on one host, where two kernels starting at the same moment can pick the same loopback TCP port
(jupyter_client chooses ports before the kernel binds them). Kernels started through this
provisioner use ZeroMQ IPC sockets, files of their own, so concurrent notebook jobs never collide.

In a job, the kernel's shutdown is bounded: some ipykernel processes do not exit after answering
the shutdown request, and jupyter_client then waits half of ``shutdown_wait_time`` (5 s) before
it sends SIGTERM. By then papermill has saved every cell's outputs (it writes the output notebook
after each cell), so a job gains nothing from that wait.
"""

import os
import tempfile
import uuid

from jupyter_client.provisioning import LocalProvisioner

__all__ = ["IpcProvisioner", "JOB_SHUTDOWN_WAIT_SECONDS"]

#: The whole shutdown budget of a kernel in a job: half to exit after the shutdown request, then
#: SIGTERM and the other half, then SIGKILL (jupyter_client's sequence).
JOB_SHUTDOWN_WAIT_SECONDS = 1.0

#: Set in every PrimeHub (and PrimeHub Local) job.
JOB_VARIABLE = "PHJOB_NAME"


class IpcProvisioner(LocalProvisioner):
    """A local provisioner whose kernels listen on IPC sockets and, in jobs, shut down promptly."""

    async def pre_launch(self, **kwargs):
        km = self.parent
        if km is not None and km.transport == "tcp":
            km.transport = "ipc"
            # Short, unique socket paths: a Unix socket path holds at most ~107 bytes.
            km.ip = os.path.join(tempfile.gettempdir(), f"phk-{uuid.uuid4().hex[:12]}")
        return await super().pre_launch(**kwargs)

    def get_shutdown_wait_time(self, recommended=5.0):
        wait = super().get_shutdown_wait_time(recommended=recommended)
        # A notebook server's kernels keep the usual grace: a user may have work in them.
        if os.environ.get(JOB_VARIABLE):
            return min(wait, JOB_SHUTDOWN_WAIT_SECONDS)
        return wait
