"""The files a student hands in, read as what they claim to be.

A submission is hostile: a `gan.py` or `dcgan_generator.pt` may be a symbolic link to
the grader's answer file or another student's work (zip archives carry links), a
FIFO that blocks a read forever, or a device. Each is opened here without following a
link, in the submission's own folder, and read only if the opened file is a regular
file no larger than the limit: the size is the opened file's, so nothing can be
swapped in between the check and the read.
"""
import os
import stat


class NotAFile(Exception):
    """A handed-in file that is not a plain file of the submission; its message is for the
    student. size: the file's size where it was too large, else None."""

    def __init__(self, message, size=None):
        super().__init__(message)
        self.size = size


def read(path, limit, name=None):
    """The bytes of the regular file at `path`, at most `limit` of them (more raises NotAFile
    with a sentence, as does a link, a folder, a FIFO or a device); FileNotFoundError where
    there is nothing at `path`."""
    name = name or os.path.basename(path)
    folder, base = os.path.split(os.path.abspath(path))
    try:
        # The submission's folder may lie beyond links the grader's user made (its parents); it
        # may not be a link itself (batch's student folders come out of students' zip files).
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except NotADirectoryError:
        if os.path.islink(folder):
            raise NotAFile(f"the folder holding {name} is a symbolic link, not a folder: hand in the files "
                           "themselves.") from None
        raise FileNotFoundError(path) from None
    except OSError as err:
        if err.errno == 40:  # ELOOP
            raise NotAFile(f"the folder holding {name} is a symbolic link, not a folder: hand in the files "
                           "themselves.") from None
        raise
    try:
        try:
            fd = os.open(base, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
        except OSError as err:
            if err.errno == 40 or os.path.islink(path):  # ELOOP: the last part of the path is a link
                raise NotAFile(f"{name} is a symbolic link, not a file: hand in the file itself.") from None
            raise
    finally:
        os.close(dir_fd)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe, a socket or a device)"
            raise NotAFile(f"{name} is {kind}: hand in the file itself.")
        if st.st_size > limit:
            raise NotAFile(f"{name} is {st.st_size:,} bytes, more than the {limit:,} the grader reads.", st.st_size)
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:  # grew while being read
            raise NotAFile(f"{name} is more than the {limit:,} bytes the grader reads.", len(data))
        return data
    finally:
        os.close(fd)
