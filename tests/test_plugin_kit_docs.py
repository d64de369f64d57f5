"""docs/writing-a-plugin.md: every Python block runs, in order, in one namespace; its test functions pass."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "writing-a-plugin.md"


def test_guide_python_blocks_run(isolated_registry, tmp_path, monkeypatch, request):
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "writing_a_plugin"}
    for i, block in enumerate(blocks):
        exec(compile(block, f"{GUIDE.name} python block {i + 1}", "exec"), namespace)
    tests = {name: fn for name, fn in namespace.items() if name.startswith("test_") and inspect.isfunction(fn)}
    assert tests, "the guide shows a pytest test"
    for fn in tests.values():
        fn(*(request.getfixturevalue(arg) for arg in inspect.signature(fn).parameters))


@pytest.mark.parametrize(
    "section", ["Scaffold", "The contract", "The conformance kit", "Export profiles", "Publishing"]
)
def test_guide_covers(section):
    assert re.search(rf"^## \d\. {section}$", GUIDE.read_text(), flags=re.M)
