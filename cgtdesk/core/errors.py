"""Errors the core raises. Every one carries a message meant for the user as it stands."""


class InputError(ValueError):
    """Bad input: a file, a cell, a typed value or a command-line argument that is refused.

    ``str(err)`` is one message naming the place (file, scenario, key, cell), what was expected
    and what was found. The command line turns it into exit status 2.
    """


class DomainError(InputError):
    """Inputs that are each valid but together make no sense, such as a lot that yields no dose.

    ``keys`` names the inputs responsible.
    """

    def __init__(self, message: str, keys: tuple[str, ...] = ()):
        super().__init__(message)
        self.keys = tuple(keys)


class WriteError(InputError, OSError):
    """A file could not be written: ``str(err)`` is one message naming the path and the cause in
    words, such as "cannot write /x/y.cgtproj: the folder /x is read-only (permission denied)".

    An InputError (the command line exits 2, the window shows a plain message) and an OSError
    (code that catches OSError around a save still catches it). ``errno`` is the system's code
    when there is one. The previous file and its .bak are left as they were.
    """

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.errno = code
