"""The hazard log's machinery: the log's loader and validator (``hazards``), the pytest
plugin that traces tests to hazards (``plugin``) and the check ``make test`` runs
after its pytest runs (``check``). Qt-free; not shipped with the app."""
