"""Print the locator(s) of a phrase in a source: python tools/locate.py SOURCE_FILE 'phrase'."""
import sys
sys.path.insert(0, "src")
from coldwar_lod.sources import find_passages  # noqa: E402

text = open(sys.argv[1], encoding="utf-8").read()
for loc in find_passages(text, sys.argv[2]):
    print(f"{loc.start}-{loc.end}")
