"""The words the record is kept in: the choices a nurse picks from (indications,
quick events, routes, units, acknowledgement actions, checklist items). One place,
shared by validation, the exporters and the window."""

from __future__ import annotations

INDICATIONS = ("CRPS", "fibromyalgia", "neuropathic pain", "depression", "other")
QUICK_EVENTS: dict[str, str] = {
    "nausea": "Nausea", "vomiting": "Vomiting", "anxiety": "Anxiety",
    "emergence": "Emergence reaction", "antiemetic": "Antiemetic given",
    "benzodiazepine": "Benzodiazepine given", "antihypertensive": "Antihypertensive given",
    "eye_mask_on": "Eye mask on", "eye_mask_off": "Eye mask off", "music_on": "Music on",
    "music_off": "Music off", "responds_to_voice": "Responds to voice",
    "hypersalivation": "Hypersalivation", "laryngospasm": "Laryngospasm / airway obstruction",
    "apnoea": "Apnoea", "oxygen_started": "Oxygen started",
    "airway_manoeuvre": "Airway manoeuvre", "hallucinations": "Hallucinations",
    "dizziness": "Dizziness", "headache": "Headache", "chest_pain": "Chest pain",
    "diplopia_nystagmus": "Diplopia / nystagmus",
}
DRUG_EVENTS = ("antiemetic", "benzodiazepine", "antihypertensive")
ROUTES = ("IV", "PO", "IM", "SC", "SL", "intranasal", "inhaled")
DOSE_UNITS = ("mg", "mcg", "g", "mL", "units")
RATE_UNITS = ("mg/kg/h", "mg/h")
# What an acknowledgement says was done, chosen each time: the default is only "seen", so
# a record that says "physician informed" means someone chose it (CLINICAL §5).
ACK_DEFAULT = "seen"
ACK_ACTIONS = (ACK_DEFAULT, "re-measured", "infusion slowed", "infusion paused",
               "medication given", "patient reassured", "physician informed", "artifact",
               "no action needed")
# Every item a clinic may put on its checklist (protocol key ``checklist.items``).
CHECKLIST_ITEMS: dict[str, str] = {
    "fasting": "Fasting as instructed",
    "contraindications_asked": "Contraindications asked (uncontrolled hypertension, psychosis, "
                               "raised intracranial pressure, pregnancy)",
    "benzodiazepines": "Concomitant benzodiazepines",
    "opioids": "Concomitant opioids",
    "psychostimulants": "Concomitant psychostimulants",
    "maois": "Concomitant MAOIs",
    "escort_arranged": "Escort arranged",
}
# Items that record a fact (REMS concomitant medication), not a step to complete.
MEDICATION_ITEMS = ("benzodiazepines", "opioids", "psychostimulants", "maois")
ANSWERS = ("yes", "no")
