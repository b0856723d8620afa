"""Open data in and out: technoparks as CSV, JSON and GeoJSON files, and their validated import.

columns.py   the columns and one technopark as a flat record
csv_format.py, json_format.py, geojson.py   each file format, written and read
export.py    the records of a download or of the command-line export
rows.py      a file read into rows with their line numbers; reading.py picks the reader
validation.py  every row checked by the edit form's rules, before anything is written
importer.py  the checked rows written in one transaction, with history
"""
