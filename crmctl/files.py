"""Files crmctl writes or opens by name: what a path is, and replacing a file whole.

Every file crmctl writes (export, import template and rejects, task export,
the weekly page) goes through `replace_when_written`, so each one follows a
symlink to the file it names and none replaces a device, a named pipe or a folder.
"""
import os
import shutil
import stat

from crmctl.errors import BadInput

_SPECIAL_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                  (stat.S_ISFIFO, "a named pipe (fifo)"), (stat.S_ISSOCK, "a socket"))


def special_kind(path):
    """What `path` is when it exists but is not a regular file ("a device", "a folder", ...); None otherwise.

    A symlink counts as what it points to. Read with stat, never by opening: opening a named
    pipe waits for a writer, and reading a device can block or never end. Another OSError (a
    folder on the way that cannot be read, a loop of symlinks) is the caller's to word.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode):
        return None
    return next((kind for is_kind, kind in _SPECIAL_KINDS if is_kind(mode)), "a special file")


def require_file_name(path):
    """`path` as text; an empty one is bad input said as such (its realpath, the working folder, would read
    as "a folder"; its extension as a wrong one)."""
    if not str(path).strip():
        raise BadInput("no file to write: the file name given is empty")
    return str(path)


def file_to_replace(path):
    """The regular file writing `path` replaces: a symlink's target; BadInput for a device, a fifo or a folder.

    Called before the work that makes a file's content, so a refused path costs nothing.
    """
    target = os.path.realpath(require_file_name(path))
    try:
        kind = special_kind(target)
    except OSError as error:
        raise BadInput(f"cannot write {path}: {error.strerror or error}") from None
    if kind is not None:
        raise BadInput(f"cannot write {path}: it is {kind}, not a regular file")
    return target


def replace_when_written(path, suffix, write):
    """Run `write(temporary)` on a file beside the one `path` names, then move it over it; remove it if anything fails.

    A symlink is followed (the file it points to is replaced, the link stays). A replaced file keeps
    its permissions; a new one gets those a new file of this user gets (not the temporary file's
    private ones). `/dev/stdout` and the like are written in place: the stream the shell opened.
    """
    import tempfile

    if str(path).strip() and os.path.realpath(path).startswith("/proc/"):  # /dev/stdout and the like: the stream the shell opened
        try:
            write(path)
        except OSError as error:
            raise BadInput(f"cannot write {path}: {error.strerror or error}") from None
        return path
    target = file_to_replace(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=".crmctl-", suffix=suffix, dir=os.path.dirname(target))
    except OSError as error:
        raise BadInput(f"cannot write {path}: {error.strerror or error}") from None
    os.close(handle)
    try:
        write(temporary)
        if os.path.exists(target):  # the file it replaces keeps its permissions (a private report stays private)
            shutil.copymode(target, temporary)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException as error:
        if os.path.exists(temporary):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise BadInput(f"cannot write {path}: {error.strerror or error}") from None
        raise
    return path


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
