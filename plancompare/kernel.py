"""Installing the project's named Jupyter kernel into the running environment (`python -m plancompare.kernel`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import paths

DISPLAY_NAME = "Python (plancompare)"
# ipykernel warns on every start that it runs over TCP on localhost; in a batch run that warning
# reaches the scheduler's log once per report and hides real errors.
QUIET = "--IPKernelApp.log_level=ERROR"


def install(prefix: str = sys.prefix) -> Path:
    """Install the kernel spec under the environment's prefix and return its folder."""
    from ipykernel.kernelspec import install as install_kernelspec

    folder = Path(
        install_kernelspec(kernel_name=paths.KERNEL_NAME, display_name=DISPLAY_NAME, prefix=prefix)
    )
    spec_path = folder / "kernel.json"
    spec = json.loads(spec_path.read_text("utf-8"))
    if QUIET not in spec["argv"]:
        spec["argv"].append(QUIET)
    spec_path.write_text(json.dumps(spec, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return folder


if __name__ == "__main__":
    print(f"Installed kernel '{paths.KERNEL_NAME}' in {install()}")
