"""Packages of the distribution: ``reader*`` as found, plus the top-level ``resources/`` and
``corpus/`` folders installed as ``reader._resources`` and ``reader._corpus`` (mapped in
pyproject.toml's ``package-dir``). Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["reader", "reader.*"]), "reader._resources",
                "reader._corpus"])
