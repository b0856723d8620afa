"""The app as the benchmark serves it: on a database of synthetic records only, shown publicly.

Public pages never show synthetic records; a benchmark must, to measure them at scale. Only
this entry point, run by bench/run.py on its own databases, turns them on.
"""

from directory import create_app

app = create_app({"SHOW_SYNTHETIC_RECORDS": True})
