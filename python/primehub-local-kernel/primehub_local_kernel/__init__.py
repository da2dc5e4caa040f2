"""PrimeHub Local's side of running notebooks as jobs.

- ``IpcProvisioner`` (``primehub_local_kernel.provisioner``): the kernel provisioner of the
  virtualenv's ``python3`` kernel; kernels talk over IPC sockets and shut down promptly in jobs.
- ``primehub-papermill`` (``primehub_local_kernel.run_papermill``): papermill's own command line,
  started without the import-time work it does not need.

Nothing is imported here, so ``primehub-papermill`` starts before jupyter_client is loaded.
"""

__all__ = ["IpcProvisioner"]


def __getattr__(name):
    if name == "IpcProvisioner":
        from .provisioner import IpcProvisioner

        return IpcProvisioner
    raise AttributeError(name)
