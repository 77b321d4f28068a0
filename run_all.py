#!/usr/bin/env python3
"""Render every plancompare report: `python run_all.py --help` lists the options."""

from plancompare.cli import exit_now, main

if __name__ == "__main__":
    exit_now(main())
