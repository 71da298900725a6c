"""Run by Debian's python3 (python3-seccomp): apply a unit's system-call allow-list (EPERM for
the rest, like SystemCallErrorNumber=EPERM) and, if asked, PR_SET_MDWE (the kernel's own form
of MemoryDenyWriteExecute=), then exec the unit's command. Both survive execve.

usage: seccomp_exec.py SPEC.json -- COMMAND...   SPEC: {"allow": [names], "mdwe": bool}
"""

import ctypes
import errno
import json
import os
import sys

import seccomp

PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    command = sys.argv[sys.argv.index("--") + 1:]
    if spec["mdwe"]:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
            sys.exit(f"seccomp_exec: PR_SET_MDWE: {os.strerror(ctypes.get_errno())}")
    syscalls = seccomp.SyscallFilter(defaction=seccomp.ERRNO(errno.EPERM))
    for name in spec["allow"]:
        try:
            syscalls.add_rule(seccomp.ALLOW, name)
        except (RuntimeError, ValueError):
            pass  # not a system call on this architecture (e.g. the *_time64 family)
    syscalls.load()
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
