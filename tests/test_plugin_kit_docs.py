"""docs/writing-a-plugin.md: every Python block runs, in order, in one module; its test functions pass.

The blocks run as the body of a real module (``writing_a_plugin``, in ``sys.modules`` while the test runs), compiled
without this file's ``from __future__`` imports: what a reader pastes into a module behaves the same.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "writing-a-plugin.md"


def test_guide_python_blocks_run(isolated_registry, tmp_path, monkeypatch, request):
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    module = types.ModuleType("writing_a_plugin")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    for i, block in enumerate(blocks):
        exec(compile(block, f"{GUIDE.name} python block {i + 1}", "exec", dont_inherit=True), namespace)
    tests = {name: fn for name, fn in namespace.items() if name.startswith("test_") and inspect.isfunction(fn)}
    assert tests, "the guide shows a pytest test"
    for fn in tests.values():
        fn(*(request.getfixturevalue(arg) for arg in inspect.signature(fn).parameters))


@pytest.mark.parametrize(
    "section", ["Scaffold", "The contract", "The conformance kit", "Export profiles", "Publishing"]
)
def test_guide_covers(section):
    assert re.search(rf"^## \d\. {section}$", GUIDE.read_text(), flags=re.M)
