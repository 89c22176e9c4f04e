"""The NApp installs as Kytos-ng's NApps do: pip (`install`, `install --editable`) or `setup.py
develop` into kytosd's virtualenv puts it in kytosd's napps folder, enabled, with its
requirements. Read back with kytosd's own NAppsManager, from that virtualenv. That kytosd then
loads it is what every real-Kytos test starts with (kytosd.RealKytos installs it so, in a napps
folder of its own)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from kytos_stack_harness.kytosd import CACHE, install_napp, readme_install_steps, skip_unless_ready, venv_env
from kytos_stack_harness.service_under_test import ROOT

pytestmark = pytest.mark.e2e
skip_unless_ready()

NAPP = ROOT / "integrations" / "kytos-napp"
SOURCE = NAPP / "webhook_forwarder"
PYTHON = str(CACHE / "venv" / "bin" / "python")
USER, NAME = (json.loads((SOURCE / "kytos.json").read_text())[key] for key in ("username", "name"))


def kytos_napps(napps: Path, *calls: str) -> dict:
    """kytosd's NAppsManager on `napps`, after `calls` (e.g. `disable`): the NApps it finds
    installed and enabled."""
    script = (
        "import json, sys\nfrom pathlib import Path\nfrom kytos.core.napps.manager import NAppsManager\n"
        "manager = NAppsManager(base_path=Path(sys.argv[1]))\n"
        f"for call in sys.argv[2:]:\n    getattr(manager, call)({USER!r}, {NAME!r})\n"
        "print(json.dumps({'installed': [n.id for n in manager.get_installed_napps()],\n"
        "                  'enabled': [n.id for n in manager.get_enabled_napps()]}))\n"
    )
    answer = subprocess.run([PYTHON, "-c", script, str(napps), *calls], check=True, capture_output=True,
                            text=True, timeout=60)
    return json.loads(answer.stdout)


def pinned(requirement: str) -> str:
    """The version requirements.txt pins `requirement` at."""
    lines = (NAPP / "requirements.txt").read_text().splitlines()
    return next(line.split("==")[1] for line in lines if line.startswith(f"{requirement}=="))


def installed_version(distribution: str) -> str | None:
    answer = subprocess.run([PYTHON, "-c", f"import importlib.metadata as m; print(m.version({distribution!r}))"],
                            check=False, capture_output=True, text=True, timeout=60)
    return answer.stdout.strip() if answer.returncode == 0 else None


def source_files() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in SOURCE.iterdir() if path.is_file() and path.suffix != ".pyc"}


def test_pip_install_copies_the_napp_enabled_with_its_requirements(tmp_path):
    napps = tmp_path / "napps"
    # Its requirements come with it: none is there before.
    subprocess.run([PYTHON, "-m", "pip", "uninstall", "-q", "-y", "google-re2"], check=True, timeout=120)
    assert installed_version("google-re2") is None

    install_napp(napps)

    installed = napps / ".installed" / USER / NAME
    enabled = napps / USER / NAME
    assert installed.is_dir() and not installed.is_symlink()
    assert {path.name: path.read_bytes() for path in installed.iterdir()} == source_files()
    assert enabled.is_symlink() and enabled.resolve() == installed.resolve()
    for package in (napps, napps / ".installed", napps / ".installed" / USER, napps / USER):
        assert (package / "__init__.py").is_file()
    assert kytos_napps(napps) == {"installed": [f"{USER}/{NAME}"], "enabled": [f"{USER}/{NAME}"]}
    assert installed_version("google-re2") == pinned("google-re2")
    # The NApp's code as kytosd imports it, with RE2 to decide the service's rules.
    subprocess.run([PYTHON, "-c", f"import napps.{USER}.{NAME}.service_rules as rules; assert rules.re2"],
                   cwd=napps.parent, check=True, timeout=60, env=venv_env())

    # Installed again, over a copy that has changed (or a folder left by hand): replaced.
    (installed / "stale.py").write_text("raise SystemExit('a stale copy')\n")
    enabled.unlink()
    install_napp(napps)
    assert {path.name for path in installed.iterdir()} == set(source_files())
    assert enabled.resolve() == installed.resolve()


def test_without_kytos_napps_it_lands_where_kytosd_looks_by_default():
    """Run as the README has operators run it, in kytosd's virtualenv with no napps folder named."""
    script = "from kytos.core.config import KytosConfig; print(KytosConfig().options['daemon'].napps)"
    napps = Path(subprocess.run([PYTHON, "-c", script], env=venv_env(), check=True, capture_output=True, text=True,
                                timeout=60).stdout.strip())
    assert napps == CACHE / "venv" / "var" / "lib" / "kytos" / "napps"
    try:
        subprocess.run(["bash", "-euo", "pipefail", "-c", readme_install_steps()], cwd=ROOT, env=venv_env(),
                       check=True, timeout=300, capture_output=True)
        assert (napps / USER / NAME).resolve() == (napps / ".installed" / USER / NAME).resolve()
        assert kytos_napps(napps) == {"installed": [f"{USER}/{NAME}"], "enabled": [f"{USER}/{NAME}"]}
    finally:
        shutil.rmtree(napps, ignore_errors=True)


def test_kytosd_disables_and_enables_it(tmp_path):
    napps = tmp_path / "napps"
    install_napp(napps)
    napp = f"{USER}/{NAME}"
    assert kytos_napps(napps, "disable") == {"installed": [napp], "enabled": []}
    assert (napps / ".installed" / USER / NAME / "kytos.json").is_file()
    assert kytos_napps(napps, "enable") == {"installed": [napp], "enabled": [napp]}
    assert kytos_napps(napps, "disable", "uninstall") == {"installed": [], "enabled": []}


def assert_linked(napps: Path) -> None:
    """The NApp's folder itself is installed and enabled in `napps`, so an edit shows at kytosd's next start."""
    installed = napps / ".installed" / USER / NAME
    assert installed.is_symlink() and installed.resolve() == SOURCE.resolve()
    assert (napps / USER / NAME).resolve() == SOURCE.resolve()
    assert kytos_napps(napps) == {"installed": [f"{USER}/{NAME}"], "enabled": [f"{USER}/{NAME}"]}


def test_develop_links_the_folder_and_its_uninstall_unlinks_it(tmp_path):
    napps = tmp_path / "napps"
    env = venv_env(KYTOS_NAPPS=str(napps))
    try:
        subprocess.run([PYTHON, "setup.py", "-q", "develop"], cwd=NAPP, env=env, check=True, timeout=300,
                       capture_output=True)
        assert_linked(napps)
    finally:
        subprocess.run([PYTHON, "setup.py", "-q", "develop", "--uninstall"], cwd=NAPP, env=env, check=True,
                       timeout=300, capture_output=True)
    assert not (napps / USER / NAME).exists() and not (napps / ".installed" / USER / NAME).exists()
    assert kytos_napps(napps) == {"installed": [], "enabled": []}


# pip 23 (kytosd's virtualenv here) runs `setup.py develop` for a project without pyproject.toml;
# newer pip, or --use-pep517, builds an editable wheel (PEP 660) and no longer runs `develop`.
@pytest.mark.parametrize("pep517", [[], ["--use-pep517"]], ids=["develop", "pep660"])
def test_pip_editable_links_the_folder(tmp_path, pep517):
    """`python3 -m pip install --editable .`, as Kytos-ng's NApps document it."""
    napps = tmp_path / "napps"
    try:
        subprocess.run([PYTHON, "-m", "pip", "install", "-q", *pep517, "--editable", "."], cwd=NAPP,
                       env=venv_env(KYTOS_NAPPS=str(napps)), check=True, timeout=300, capture_output=True)
        assert_linked(napps)
    finally:
        subprocess.run([PYTHON, "-m", "pip", "uninstall", "-q", "-y", f"{USER}_{NAME}"], check=True, timeout=120)
