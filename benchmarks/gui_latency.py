"""Child process of the GUI latency benchmark (filled in once the GUI shell and charts land)."""

import json

print(json.dumps({"not_available": "the GUI shell's parameter editor and chart panel"}))
