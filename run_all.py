#!/usr/bin/env python3
"""Render every plancompare report: `python run_all.py --help` lists the options."""

import sys

from plancompare.cli import main

if __name__ == "__main__":
    sys.exit(main())
