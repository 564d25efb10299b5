"""The release check: build bankgame as a player gets it, install it, play it.

Builds the sdist and the wheel, then a second wheel from the unpacked sdist.
Installs each wheel, and the checkout in editable mode, into a fresh virtual
environment outside the repository, and from another folder runs
``bankgame --version``, a headless ``bankgame simulate`` of every level, and
the snapshot and release tests against the installed package (see
``installed_package.py``). Every dependency is fetched once, into a wheelhouse
that the installs share.

Usage: python .ci/release_check.py [--keep]   (--keep leaves the work folder)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CI_DIR = REPO / ".ci"
EXTRAS = "test,browser"
RELEASE_TESTS = {
    "wheel": "test_version.py",
    # The browser test once, on what a player would be handed: the wheel built
    # from the sdist (both wheels carry the same files: see check_contents).
    "wheel-from-sdist": "test_version.py test_web.py",
    "editable": "test_version.py",
}
PROCESS_LEVEL = "back-office"  # one day on real worker processes, installed


_report = threading.local()
"""Each install is checked in a thread of its own and reports in one piece."""


def emit(text: str) -> None:
    lines = getattr(_report, "lines", None)
    if lines is None:
        print(text, flush=True)
    else:
        lines.append(text)


def say(message: str) -> None:
    emit(f"[release] {message}")


def run(*args: object, cwd: Path | None = None, env: dict[str, str] | None = None, capture: bool = False,
        timeout: float = 300) -> str:
    """Run a command; stop the check with its output if it fails or hangs.

    ``capture`` returns the output instead of reporting it. The command gets
    a process group of its own, so that a hang is ended with everything it
    started.
    """
    command = [str(arg) for arg in args]
    process = subprocess.Popen(
        command, cwd=cwd, env=env, text=True, stdin=subprocess.DEVNULL, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        emit(output or "")
        raise SystemExit(f"TIMED OUT after {timeout:.0f} s: {' '.join(command)}") from None
    if process.returncode != 0:
        emit(output)
        raise SystemExit(f"FAILED ({process.returncode}): {' '.join(command)}")
    if capture:
        return output
    emit(output.rstrip("\n"))
    return ""


def package_version() -> str:
    text = (REPO / "tui/bankgame/__init__.py").read_text()
    return re.search(r'^__version__ = "(.+)"', text, re.MULTILINE).group(1)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for installed runs: nothing points back at the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "NO_COLOR", "PYTHONHOME"}}
    env.update(extra)
    return env


def build(work: Path, version: str) -> dict[str, Path]:
    """Build sdist and wheel from the tree, and a wheel from the sdist."""
    dist = work / "dist"
    run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", dist, REPO, capture=True)
    sdist = dist / f"bankgame-{version}.tar.gz"
    wheel = dist / f"bankgame-{version}-py3-none-any.whl"
    assert sdist.exists() and wheel.exists(), sorted(p.name for p in dist.iterdir())

    unpacked = work / "sdist"
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    source = unpacked / f"bankgame-{version}"
    from_sdist = work / "dist-from-sdist"
    run(sys.executable, "-m", "build", "--wheel", "--outdir", from_sdist, source, capture=True)
    wheel2 = from_sdist / wheel.name
    assert wheel2.exists(), sorted(p.name for p in from_sdist.iterdir())
    return {"sdist": sdist, "source": source, "wheel": wheel, "wheel-from-sdist": wheel2}


def check_contents(built: dict[str, Path]) -> None:
    """Each artifact carries what a player needs; the sdist can rebuild and test."""
    levels = sorted(p.name for p in (REPO / "assets/levels").glob("*.toml"))
    assert levels, "no levels in the checkout"
    for name in ("wheel", "wheel-from-sdist"):
        files = set(zipfile.ZipFile(built[name]).namelist())
        needed = [f"bankgame/assets/levels/{level}" for level in levels]
        needed += ["bankgame/__init__.py", "bankgame/__main__.py", "bankgame/web/templates/app_index.html"]
        missing = [path for path in needed if path not in files]
        assert not missing, f"{name} lacks {missing}"
        assert not any(path.startswith(("tests/", "tui/")) for path in files), f"{name} carries the checkout's layout"
    first, second = (set(zipfile.ZipFile(built[name]).namelist()) for name in ("wheel", "wheel-from-sdist"))
    assert first == second, f"the wheels differ: {sorted(first ^ second)}"
    source = built["source"]
    for path in ("pyproject.toml", "README.md", "CHANGELOG.md", "tests", "assets/levels", "tui/bankgame/web/templates"):
        assert (source / path).exists(), f"the sdist lacks {path}"
    say(f"contents ok: both wheels hold the same {len(first)} files, {len(levels)} levels among them; "
        "the sdist has the tests, assets and changelog")


def fill_wheelhouse(work: Path, wheel: Path) -> Path:
    """Fetch every dependency once; installs then never leave this folder."""
    house = work / "wheelhouse"
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", house,
        f"{wheel}[{EXTRAS}]", "hatchling>=1.25", "editables~=0.3", "pip", "pipx", "uv", capture=True)
    return house


def new_venv(path: Path) -> Path:
    run(sys.executable, "-m", "venv", path)
    return path / "bin"


def site_packages(bin_dir: Path) -> Path:
    out = run(bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", capture=True)
    return Path(out.strip()).resolve()


def play(name: str, bin_dir: Path, expect_under: Path, version: str, suite: Path, work: Path) -> None:
    """From a folder outside the checkout: version, every level headless, the tests."""
    outside = work / f"play-{name}"
    outside.mkdir()
    home = work / f"home-{name}"  # saved progress of this install's games and tests, nobody else's
    env = clean_env(BANKGAME_HOME=str(home))
    python, bankgame = bin_dir / "python", bin_dir / "bankgame"

    printed = run(bankgame, "--version", cwd=outside, env=env, capture=True).strip()
    assert printed == f"bankgame {version}", printed

    where = json.loads(run(python, "-c", (
        "import json, bankgame, bankgame.engine as e, bankgame.paths as p;"
        "print(json.dumps({'package': bankgame.__file__, 'assets': str(p.assets_dir()), 'levels': e.level_ids()}))"
    ), cwd=outside, env=env, capture=True))
    for key in ("package", "assets"):
        path = Path(where[key]).resolve()
        assert path.is_relative_to(expect_under), f"{name}: {key} resolved to {path}, not under {expect_under}"

    for level in where["levels"]:
        report = json.loads(run(bankgame, "simulate", "--level", level, "--json", cwd=outside, env=env, capture=True))
        assert isinstance(report, dict) and report, f"{name}: empty report for {level}"
    run(bankgame, "simulate", "--level", PROCESS_LEVEL, "--backend", "process", cwd=outside, env=env, capture=True)
    say(f"{name}: version ok; {len(where['levels'])} levels played headless; package and assets from {expect_under}")

    # The tests, copied out of the sdist so that no checkout sits beside them.
    tests = work / f"suite-{name}"
    shutil.copytree(suite / "tests", tests / "tests")
    for path in ("pyproject.toml", "README.md", "CHANGELOG.md"):
        shutil.copy2(suite / path, tests / path)
    env = clean_env(
        BANKGAME_HOME=str(home),
        PYTHONPATH=str(CI_DIR_COPY),
        BANKGAME_EXPECT_UNDER=str(expect_under),
        BANKGAME_RELEASE_TESTS=RELEASE_TESTS[name],
        BANKGAME_ARTIFACTS=str(REPO / "artifacts" / f"release-{name}"),
    )
    run(python, "-m", "pytest", "-q", "-p", "installed_package", "-p", "no:cacheprovider", cwd=tests, env=env,
        timeout=900)
    say(f"{name}: snapshot and release tests passed against the installed package")


def tool_installs(work: Path, house: Path, source: Path, version: str) -> None:
    """The README's other install lines, ``pipx install .`` and ``uv tool install .``.

    Run in the unpacked sdist (a checkout as a player has it), with the web
    extra, from the wheelhouse only.
    """
    tools = new_venv(work / "venv-tools")
    run(tools / "python", "-m", "pip", "install", "--quiet", "--no-index", "--find-links", house, "pipx", "uv",
        capture=True)
    env = clean_env(
        PIP_NO_INDEX="1", PIP_FIND_LINKS=str(house),
        PIPX_HOME=str(work / "pipx"), PIPX_BIN_DIR=str(work / "pipx-bin"),
        UV_TOOL_DIR=str(work / "uv-tools"), UV_TOOL_BIN_DIR=str(work / "uv-bin"),
        UV_CACHE_DIR=str(work / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
    )
    outside = work / "play-tools"
    outside.mkdir()
    run(tools / "pipx", "install", "--python", sys.executable, ".[web]", cwd=source, env=env, capture=True)
    run(tools / "uv", "tool", "install", "--offline", "--no-index", "--find-links", house, "--python", sys.executable,
        ".[web]", cwd=source, env=env, capture=True)
    for name, bin_dir in (("pipx", work / "pipx-bin"), ("uv tool", work / "uv-bin")):
        printed = run(bin_dir / "bankgame", "--version", cwd=outside, env=env, capture=True).strip()
        assert printed == f"bankgame {version}", f"{name}: {printed}"
        run(bin_dir / "bankgame", "simulate", "--level", PROCESS_LEVEL, "--json", cwd=outside, env=env, capture=True)
        run(bin_dir / "bankgame", "web", "--help", cwd=outside, env=env, capture=True)
        python = (bin_dir / "bankgame").read_text().splitlines()[0].removeprefix("#!").split()[0]  # its own
        run(python, "-c", "import textual_serve, bankgame.web.server", cwd=outside, env=env, capture=True)
    say("pipx install and uv tool install (with the web extra) give the same bankgame, and it plays")


def install_and_play(name: str, built: dict[str, Path], work: Path, house: Path, version: str) -> None:
    """Install one build into a fresh environment and play it from outside."""
    offline = ["--quiet", "--no-index", "--find-links", str(house)]
    bin_dir = new_venv(work / f"venv-{name}")
    if name == "editable":
        run(bin_dir / "python", "-m", "pip", "install", *offline, "-e", f"{REPO}[{EXTRAS}]", capture=True)
        expect = REPO  # an editable install runs from the checkout, by design
    else:
        run(bin_dir / "python", "-m", "pip", "install", *offline, f"{built[name]}[{EXTRAS}]", capture=True)
        expect = site_packages(bin_dir)
    play(name, bin_dir, expect, version, built["source"], work)


def tools_job(name: str, built: dict[str, Path], work: Path, house: Path, version: str) -> None:
    tool_installs(work, house, built["source"], version)


def reported(job, name: str, *args: object) -> tuple[str | None, list[str]]:
    """Run one job in this thread; return (its failure or None, its report)."""
    _report.lines = lines = []
    started = time.monotonic()
    try:
        job(name, *args)
        failure = None
    except (SystemExit, AssertionError) as error:
        failure = str(error)
    finally:
        _report.lines = None
    lines.append(f"[release] {name}: {'FAILED' if failure else 'done'} in {time.monotonic() - started:.0f} s")
    return failure, lines


CI_DIR_COPY: Path  # the plugin, copied outside the checkout (set in main)


def main() -> int:
    global CI_DIR_COPY
    keep = "--keep" in sys.argv[1:]
    started = time.monotonic()
    version = package_version()
    work = Path(tempfile.mkdtemp(prefix="bankgame-release-"))
    assert not work.resolve().is_relative_to(REPO), "the release check must work outside the repository"
    CI_DIR_COPY = work / "plugin"
    CI_DIR_COPY.mkdir()
    shutil.copy2(CI_DIR / "installed_package.py", CI_DIR_COPY)
    say(f"bankgame {version}; working in {work}")
    failures: list[str] = []
    try:
        built = build(work, version)
        check_contents(built)
        house = fill_wheelhouse(work, built["wheel"])
        say(f"built and fetched in {time.monotonic() - started:.0f} s")
        # Two at a time (CI has two cores); the longest first.
        jobs = [("wheel-from-sdist", install_and_play), ("editable", install_and_play),
                ("wheel", install_and_play), ("pipx / uv tool", tools_job)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(reported, job, name, built, work, house, version) for name, job in jobs]
            for (name, _), future in zip(jobs, futures):
                failure, lines = future.result()
                print("\n".join(lines), flush=True)
                if failure:
                    failures.append(f"{name}: {failure}")
    finally:
        if keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    took = time.monotonic() - started
    if failures:
        for failure in failures:
            say(f"FAILED {failure}")
        return 1
    say(f"all three installs play, and pipx and uv tool install work; {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
