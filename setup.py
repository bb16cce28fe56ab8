"""The wheel carries what the server reads at run time outside its Python packages: the PWA and the demo data.

pyproject.toml holds the project's metadata; this file only adds a step to building the packages. It copies the
checkout's pwa/ and fixtures' run-time files into the server package's shipped/ folder in the build, where
server/resources.py finds them once installed. An editable install skips the copy: it reads the checkout in place."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: what the server serves or loads, relative to the checkout; for a folder, the names left behind (the tools that
#: draw the icons and refresh the vendored packages, and notes for developers)
SHIPPED = {
    "pwa": shutil.ignore_patterns("README.md", "*.py", "refresh*.mjs", "__pycache__"),
    "fixtures/hcdf2024.json": None,
    # the extract, its prebuilt basemap and the README with their ODbL notice, which must travel with the data
    "fixtures/osm": None,
}


class BuildWithShipped(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "server" / "shipped"
        # a build folder reused from an earlier build must not keep files the checkout has since dropped
        shutil.rmtree(target, ignore_errors=True)
        for name, ignore in SHIPPED.items():
            source, dest = ROOT / name, target / name
            # a wheel without the app would install and serve nothing, silently (an sdist missing them does that)
            if not source.exists():
                raise FileNotFoundError(f"{source} is missing: the wheel would ship without it")
            dest.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, dest, ignore=ignore)
            else:
                shutil.copy2(source, dest)


setup(cmdclass={"build_py": BuildWithShipped})
