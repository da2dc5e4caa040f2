"""Kernel provisioner for PrimeHub Local.

PrimeHub runs each job in its own pod, with its own network namespace. PrimeHub Local runs jobs
on one host, where two kernels starting at the same moment can pick the same loopback TCP port
(jupyter_client chooses ports before the kernel binds them). Kernels started through this
provisioner use ZeroMQ IPC sockets, files of their own, so concurrent notebook jobs never collide.
"""

import os
import tempfile
import uuid

from jupyter_client.provisioning import LocalProvisioner

__all__ = ["IpcProvisioner"]


class IpcProvisioner(LocalProvisioner):
    """A local provisioner whose kernels listen on IPC sockets instead of TCP ports."""

    async def pre_launch(self, **kwargs):
        km = self.parent
        if km is not None and km.transport == "tcp":
            km.transport = "ipc"
            # Short, unique socket paths: a Unix socket path holds at most ~107 bytes.
            km.ip = os.path.join(tempfile.gettempdir(), f"phk-{uuid.uuid4().hex[:12]}")
        return await super().pre_launch(**kwargs)
