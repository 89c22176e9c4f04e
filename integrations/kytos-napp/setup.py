"""Installs the NApp into kytosd's napps folder, as Kytos-ng's own NApps' setup.py do.

`pip install <this folder>` copies webhook_forwarder/ to `<napps>/.installed/<username>/<name>`;
`pip install -e <this folder>` or `python3 setup.py develop` links it there instead. Either way the
NApp is enabled (`<napps>/<username>/<name>` links to it, as `kytos napps enable` does), and
requirements.txt is installed into the same environment.

`<napps>` is KYTOS_NAPPS (kytosd's `-n`, or `napps` in its kytos.conf) or else kytosd's default,
`<VIRTUAL_ENV or />/var/lib/kytos/napps`.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.develop import develop
from setuptools.command.editable_wheel import editable_wheel
from setuptools.command.install import install

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "webhook_forwarder"
METADATA = json.loads((SOURCE / "kytos.json").read_text(encoding="utf-8"))
USERNAME, NAME = METADATA["username"], METADATA["name"]
REQUIREMENTS = HERE / "requirements.txt"


def napps_folder() -> Path:
    """The folder kytosd loads NApps from, decided as kytosd decides its default (kytos.core.config)."""
    if os.environ.get("KYTOS_NAPPS"):
        return Path(os.environ["KYTOS_NAPPS"])
    return Path(os.environ.get("VIRTUAL_ENV") or "/") / "var" / "lib" / "kytos" / "napps"


def read_requirements() -> list[str]:
    lines = (line.strip() for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def place_napp(*, link: bool) -> None:
    """Installs the NApp (a copy of its folder, or with `link` a symlink to it) and enables it,
    in the layout kytosd's NAppsManager reads: `__init__.py` in each package on the way."""
    napps = napps_folder()
    installed = napps / ".installed" / USERNAME / NAME
    enabled = napps / USERNAME / NAME
    for package in (napps, napps / ".installed", installed.parent, enabled.parent):
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").touch()
    remove(installed)
    if link:
        installed.symlink_to(SOURCE, target_is_directory=True)
    else:
        # Fresh modification times: kytosd loads NApps in the order of their kytos.json's, so a NApp
        # installed now loads after those installed before it.
        shutil.copytree(SOURCE, installed, copy_function=shutil.copy,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    remove(enabled)
    enabled.symlink_to(installed, target_is_directory=True)
    print(f"{USERNAME}/{NAME} installed in {installed} and enabled", file=sys.stderr)


def unplace_napp() -> None:
    """Disables and removes the NApp, as kytosd's `disable` and `uninstall` do."""
    napps = napps_folder()
    remove(napps / USERNAME / NAME)
    remove(napps / ".installed" / USERNAME / NAME)


class InstallNApp(install):
    """Also copies the NApp into the napps folder. pip runs this while it builds the wheel it
    installs (a wheel can neither hold a symlink nor write outside the environment)."""

    def run(self):
        super().run()
        place_napp(link=False)


class DevelopNApp(develop):
    """Links the NApp's folder into the napps folder, so that an edit shows at kytosd's next start."""

    def run(self):
        if self.uninstall:
            super().run()
            unplace_napp()
            return
        # As kytos-ng's NApps do: pip installs the requirements (from wheels), not setuptools.
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-r", str(REQUIREMENTS)])
        super().run()
        place_napp(link=True)


class EditableNApp(editable_wheel):
    """`pip install -e` through PEP 660, where pip no longer runs `develop`."""

    def run(self):
        super().run()
        place_napp(link=True)


setup(
    name=f"{USERNAME}_{NAME}",
    version=METADATA["version"],
    description=METADATA["description"],
    license=METADATA["license"],
    install_requires=read_requirements(),
    packages=[],
    cmdclass={"install": InstallNApp, "develop": DevelopNApp, "editable_wheel": EditableNApp},
    zip_safe=False,
    python_requires=">=3.11",
)
