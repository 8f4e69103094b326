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
    "apnoea": "Apnoea", "oxygen_started": "Oxygen started", "oxygen_stopped": "Oxygen stopped",
    "airway_manoeuvre": "Airway manoeuvre", "hallucinations": "Hallucinations",
    "dizziness": "Dizziness", "headache": "Headache", "chest_pain": "Chest pain",
    "diplopia_nystagmus": "Diplopia / nystagmus",
}
DRUG_EVENTS = ("antiemetic", "benzodiazepine", "antihypertensive")
ROUTES = ("IV", "PO", "IM", "SC", "SL", "intranasal", "inhaled")
DOSE_UNITS = ("mg", "mcg", "g", "mL", "units")
RATE_UNITS = ("mg/kg/h", "mg/h", "mL/h")  # mL/h: with the syringe's concentration
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
    "pregnancy": "Pregnant (or may be)",
    "psychosis": "Psychosis (history or current)",
    "raised_icp": "Raised intracranial pressure",
    "uncontrolled_hypertension": "Uncontrolled hypertension",
    "benzodiazepines": "Concomitant benzodiazepines",
    "opioids": "Concomitant opioids",
    "gabapentinoids": "Concomitant gabapentinoids (gabapentin, pregabalin)",
    "alcohol_today": "Alcohol today",
    "psychostimulants": "Concomitant psychostimulants",
    "maois": "Concomitant MAOIs",
    "escort_arranged": "Escort arranged",
}


def checklist_label(key: str) -> str:
    """The window's words for a checklist item; an item this version does not know
    reads as its key in words."""
    return CHECKLIST_ITEMS.get(key, key.replace("_", " "))


# What the answers mean (CLINICAL §7): a "no" on a safety step, a "yes" on a CNS
# depressant or a BP-raising drug taken with ketamine, or a "yes" on a contraindication
# is named at Start and needs a confirmation.
SAFETY_STEPS = ("contraindications_asked", "fasting", "escort_arranged")
CNS_DEPRESSANTS = ("benzodiazepines", "opioids", "gabapentinoids", "alcohol_today")
# Drugs that raise BP, as ketamine does: the Spravato label asks for close BP monitoring
# with them (REMS asks about them); a "yes" is named at Start too.
BP_RAISERS = ("psychostimulants", "maois")
CONTRAINDICATIONS = ("pregnancy", "psychosis", "raised_icp", "uncontrolled_hypertension")
# Items that record a fact (REMS concomitant medication), not a step to complete.
MEDICATION_ITEMS = ("benzodiazepines", "opioids", "gabapentinoids", "psychostimulants", "maois")
ANSWERS = ("yes", "no")
# A weight changed after dosing (CLINICAL §7): was the first weight a typing error
# (every dose figure recomputed) or is this a re-weigh (mg given stay; a rate per kg
# gives a new mg/h from the re-weigh on)?
WEIGHT_CHANGES = ("typing error", "re-weigh")
