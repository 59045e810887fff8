"""The events the compatibility layer records, and the text it shows (the catalogue's ``[kernel]`` table).

Kernel-side: imports nothing from ``grader`` (see :mod:`grader.execute.compat`).
"""

MAX_EVENTS = 200
EVENT_KINDS = ("colab_import", "colab_drive_mount", "colab_files", "pip_present", "pip_missing",
               "apt", "magic", "keras2", "torchvision")


# ---------------------------------------------------------------------------------- events
class _Recorder:
    """Appends deduplicated events to a plain list, at most MAX_EVENTS of them."""

    def __init__(self):
        self.events = []
        self._seen = set()

    def __call__(self, kind, name, modern="", detail=""):
        event = {"kind": str(kind), "name": str(name)[:300], "modern": str(modern)[:300],
                 "detail": str(detail)[:500]}
        key = (event["kind"], event["name"], event["modern"], event["detail"])
        if key in self._seen or len(self.events) >= MAX_EVENTS:
            return
        self._seen.add(key)
        self.events.append(event)


# the catalogue's [kernel] table, key -> template: filled when the layer is shipped (grader.execute.compat)
MESSAGES = {}


def say(message, /, **params):
    """The message ``message`` (``kernel.pip.missing``) with ``params``, in the language the layer was shipped in.

    Positional only: a message's own parameters may be called ``key`` (``kernel.keras2.compile_list``).
    """
    template = MESSAGES.get(message)
    return template.format(**params) if template is not None else f"[{message}] {params}"
