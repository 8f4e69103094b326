"""The export formats, named once (the command line, the exporters and the window
all offer these)."""

from __future__ import annotations

# A session exports as any of these; a patient's course as all but .vital.
FORMATS = ("csv", "json", "pdf", "fhir", "vital")
COURSE_FORMATS = ("csv", "json", "pdf", "fhir")
# The file name ending each writes.
SUFFIX = {"csv": ".csv", "json": ".json", "pdf": ".pdf", "fhir": ".fhir.json", "vital": ".vital"}
# Paper for the PDF report (the command line's --page-size, the export dialog).
PAGE_SIZES = ("a4", "letter")
