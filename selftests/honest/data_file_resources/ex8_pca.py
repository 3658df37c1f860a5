import json
from importlib.resources import files

from ._ref_ex8_pca import *  # noqa: F401,F403

#: The exercise's notes, shipped as package data next to this file.
META = json.loads(files(__package__).joinpath("ex8_meta.json").read_text(encoding="utf-8"))
