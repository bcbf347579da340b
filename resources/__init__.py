"""The app's data files (categories, practice model, word vectors, fonts, icon).

Installed as the package ``reader._resources`` (see pyproject.toml) and found through
importlib.resources by :func:`reader.paths.resources_dir`.
"""
