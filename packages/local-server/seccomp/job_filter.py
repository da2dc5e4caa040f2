"""Writes the seccomp filter of PrimeHub Local's job sandbox, as BPF for bubblewrap's --seccomp, to argv[1].

Run with Debian's /usr/bin/python3 (the python3-seccomp package). Everything is allowed except the system
calls a job could use to leave or widen its sandbox, which fail with EPERM (clone3 with ENOSYS, so that libc
falls back to clone, whose flags a filter can see).
"""

import errno
import sys

import seccomp

# Mounting, namespaces, devices, the kernel keyring, kernel modules and the like: never a job's business.
REFUSED = [
    'mount', 'umount2', 'pivot_root', 'chroot',
    'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'mount_setattr',
    'unshare', 'setns',
    'mknod', 'mknodat',
    'keyctl', 'add_key', 'request_key',
    # The sandbox has its own PID namespace and no capability, so it could only trace its own processes;
    # refusing ptrace outright is simpler than telling them apart, and jobs do not need debuggers.
    'ptrace', 'process_vm_readv', 'process_vm_writev',
    'open_by_handle_at', 'name_to_handle_at',
    'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module',
    'bpf', 'perf_event_open', 'userfaultfd',
    'swapon', 'swapoff', 'reboot', 'acct', 'quotactl',
]

CLONE_NAMESPACES = [
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
]

# Pushing characters into the terminal's input (TIOCSTI) or the console (TIOCLINUX). The command is an
# int: only its low 32 bits count, whatever a caller puts above them.
IOCTLS = [0x5412, 0x541C]

# Other ABIs the machine runs (32-bit x86 on x86-64): without them their system calls would skip the rules.
COMPANION_ARCHES = {seccomp.Arch.X86_64: [seccomp.Arch.X86, seccomp.Arch.X32]}


def build() -> seccomp.SyscallFilter:
    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for arch in COMPANION_ARCHES.get(seccomp.system_arch(), []):
        f.add_arch(arch)
    eperm = seccomp.ERRNO(errno.EPERM)
    for name in REFUSED:
        try:
            f.add_rule(eperm, name)
        except (RuntimeError, ValueError):
            # A call this libseccomp does not know cannot be made through it either on older kernels;
            # the ones the sandbox depends on (mount, unshare, setns, ...) are known to every version.
            print(f'seccomp: {name} unknown here, not filtered', file=sys.stderr)
    for flag in CLONE_NAMESPACES:
        f.add_rule(eperm, 'clone', seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    f.add_rule(seccomp.ERRNO(errno.ENOSYS), 'clone3')
    for request in IOCTLS:
        f.add_rule(eperm, 'ioctl', seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, request))
    return f


if __name__ == '__main__':
    with open(sys.argv[1], 'wb') as out:
        build().export_bpf(out)
