"""``primehub-papermill``: papermill's command line, minus import-time work it never uses.

papermill imports nbformat, which imports jsonschema, whose format checker imports every optional
format library that is installed: ``rfc3987_syntax`` alone builds a Lark grammar at import (about
0.8 s, over a third of a trivial notebook job), ``isoduration`` pulls in ``arrow``. Nothing papermill
runs checks a format: nbformat validates notebooks with fastjsonschema (or jsonschema's
Draft4Validator, without a format checker) against schemas that have no ``format`` keyword, and
neither papermill nor nbclient use jsonschema. The kernel is a separate process and is not
affected.

Options, arguments and behaviour are papermill's own (``papermill --help``). Job scripts call this
command when it is on PATH and plain ``papermill`` otherwise, so images without this package
still run notebooks.
"""

import sys

#: jsonschema's optional format libraries (``jsonschema/_format.py``), which nothing papermill runs
#: uses. ``None`` in ``sys.modules`` makes ``import`` raise ImportError, which jsonschema handles by
#: leaving those formats unchecked. (``idna`` is not among them: requests needs it.)
SKIPPED_MODULES = (
    "fqdn",
    "isoduration",
    "jsonpointer",
    "rfc3339_validator",
    "rfc3986_validator",
    "rfc3987",
    "rfc3987_syntax",
    "uri_template",
    "webcolors",
)


def skip_unneeded_imports():
    for name in SKIPPED_MODULES:
        sys.modules.setdefault(name, None)


def main():
    skip_unneeded_imports()
    try:
        from papermill.cli import papermill
    except ImportError as err:
        print(f"primehub-papermill: papermill cannot be imported ({err})", file=sys.stderr)
        return 127
    return papermill(prog_name="papermill")


if __name__ == "__main__":
    sys.exit(main())
