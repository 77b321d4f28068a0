"""pyproject.toml is the source of truth; environment.yml must list the same pinned packages."""

import re
import tomllib

import yaml

from plancompare import paths


def _pins(specs: list[str], sep: str) -> dict[str, str]:
    out = {}
    for spec in specs:
        m = re.fullmatch(rf"([A-Za-z0-9_.\-]+)(?:\[[^\]]+\])?\s*{re.escape(sep)}\s*([^\s;]+)", spec)
        assert m, f"not pinned: {spec!r}"
        out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    specs = project["dependencies"] + [
        s for group in project["optional-dependencies"].values() for s in group
    ]
    wanted = _pins(specs, "==")
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text("utf-8"))
    assert "conda-forge" in env["channels"]
    conda = [
        d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))
    ]
    have = _pins(conda, "=")
    assert have == wanted


def test_python_requirement_agrees():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text("utf-8"))
    py = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert py == ["python" + project["requires-python"]]
