"""plancompare: put Chinese regional development plans side by side."""

import sys

# jsonschema (imported by nbformat, altair and papermill) builds a Lark grammar for IRI formats
# from rfc3987_syntax when that package is installed: about 2 s of every process that renders,
# for a format nothing here validates. Marking it absent makes jsonschema skip that check.
sys.modules.setdefault("rfc3987_syntax", None)

__version__ = "0.1.0"
