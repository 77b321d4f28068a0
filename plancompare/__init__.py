"""plancompare: put Chinese regional development plans side by side."""

__version__ = "0.1.0"
