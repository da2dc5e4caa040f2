"""Files beneath a directory opened without following any link: each component is opened relative
to its parent's descriptor with ``O_NOFOLLOW``, so a link planted anywhere on the way (by a job or
another member of the group, who share the group volume) is refused instead of leading elsewhere,
and swapping a folder for a link after a check changes nothing: there is no check-then-use."""

import errno
import os
import stat
from contextlib import contextmanager
from typing import Iterator, List

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class LinkError(OSError):
    """A component on the way is a symbolic link."""


def _open(name: str, flags: int, dir_fd: int, mode: int = 0o777) -> int:
    try:
        return os.open(name, flags, mode, dir_fd=dir_fd)
    except OSError as err:
        # O_NOFOLLOW on a link fails with ELOOP (O_DIRECTORY may report ENOTDIR first): tell them apart.
        if err.errno in (errno.ELOOP, errno.ENOTDIR, errno.EEXIST) and _is_link(name, dir_fd):
            raise LinkError(errno.ELOOP, f"{name} is a symbolic link") from None
        raise


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


@contextmanager
def directory(anchor: str, parts: List[str]) -> Iterator[int]:
    """A descriptor of ``anchor/parts…``: ``anchor`` itself is opened as given, every one of
    ``parts`` without following a link (LinkError); closed on exit."""
    fd = os.open(anchor, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts:
            child = _open(part, DIR_FLAGS, fd)
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def open_file(name: str, dir_fd: int) -> int:
    """Opens the regular file ``name`` in ``dir_fd`` for reading, not following a link."""
    # O_NONBLOCK: a FIFO planted under the name must not hang the server on open.
    fd = _open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, f"{name} is not a regular file")
    os.set_blocking(fd, True)
    return fd


def create_file(name: str, dir_fd: int, mode: int = 0o666) -> int:
    """Creates ``name`` in ``dir_fd`` for writing; fails if anything (a link too) is there already."""
    return _open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd, mode)


def open_directory(name: str, dir_fd: int) -> int:
    """A descriptor of the folder ``name`` in ``dir_fd``; a link there is refused (LinkError)."""
    return _open(name, DIR_FLAGS, dir_fd)


def make_directory(name: str, dir_fd: int, mode: int) -> int:
    """A descriptor of the folder ``name`` in ``dir_fd``, made with ``mode`` when missing; a link
    there is refused (LinkError), never followed."""
    try:
        os.mkdir(name, mode, dir_fd=dir_fd)
    except FileExistsError:
        pass  # a link in its place is refused by the open below
    return _open(name, DIR_FLAGS, dir_fd)


def open_appendable(name: str, dir_fd: int, mode: int) -> int:
    """Opens the regular file ``name`` in ``dir_fd`` for reading and appending, made with ``mode``
    when missing; a link (LinkError) or anything but a regular file is refused."""
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    fd = _open(name, flags, dir_fd, mode)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, f"{name} is not a regular file")
    os.set_blocking(fd, True)
    return fd
