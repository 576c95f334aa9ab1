#!/usr/bin/env python3
"""Generate the shipped synthetic SurveyXact export of the VJH 2022 working-time survey.

Usage::

    python surveys/examples/make_vjh_2022.py [OUT_DIR]

OUT_DIR defaults to ``surveys/examples/vjh_2022`` next to this script. The script writes

* ``export/dataset.csv``, ``export/structure.csv``, ``export/labels.csv`` (the SurveyXact CSV trio:
  cp1252, ``;``, CRLF),
* ``coding.csv`` (the analyst's coding of the open answers, UTF-8, ``;``),
* ``population.csv`` (the HR register margins used for weighting, UTF-8, ``;``),

and then re-reads them with plain pandas and asserts every count the published memo prints
(tables 1-14) and every other fact it states. Any mismatch stops the script with a non-zero exit.

The data are synthetic: no real employee is behind any row. Everything is drawn from one seeded
numpy generator, so a run rewrites the files byte for byte. Only numpy, pandas and the standard
library are used.

Layout: the first half of this file is *data* (the questionnaire, the published counts, the joint
tables that reproduce them, the hand-written pools of open answers); the second half is the
allocation logic that turns those targets into respondents, the writers and the self-check.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20220827

# =====================================================================================================
# DATA: the questionnaire (questionnaire.md), in export order. Codes are option positions (1, 2, ...).
# =====================================================================================================

KOEN = ["Kvinde", "Mand"]
ALDER = ["Under 19 år", "19-29 år", "30-39 år", "40-49 år", "50-59 år", "60 år eller derover"]
TITLES = [
    "Administrativ medarbejder", "Afdelingsleder", "Akademisk medarbejder", "Anden stilling",
    "Beskæftigelsesvejleder", "Ergoterapeut", "Fysioterapeut", "Hjemmevejleder", "Husassistent",
    "IT-medarbejder", "Kok/ernæringsassistent", "Konsulent", "Koordinator", "Køkkenassistent",
    "Omsorgsassistent", "Omsorgsmedhjælper", "Plejer (bofællesskaber)", "Pædagog",
    "Pædagogisk assistent", "Pædagogmedhjælper", "Pædagogstuderende 1. praktikperiode",
    "Pædagogstuderende 2./3. praktikperiode", "Rengøringsassistent", "Sekretær",
    "Serviceassistent (døgnområdet)", "Social- og sundhedsassistent", "Social- og sundhedshjælper",
    "Socialformidler", "Socialpædagog", "Socialrådgiver", "Sygeplejerske",
    "Teknisk servicemedarbejder", "Værkstedsassistent",
]
A_ADM = "Administration og IT mv., KL"
A_AKA = "Akademikere, KL"
A_ERG = "Ergo- Fysio- og Jordemødre, basis KL"
A_HJV = "Hjemmevejledere og pæd.pers., døgninst."
A_HUS = "Husassistenter, KL"
A_LED = "Led. værkst.pers. mv., klientv., KL"
A_OMS = "Oms.- og pæd.medhj. samt pæd. ass., KL"
A_PUL = "Pædagogisk uddannede ledere"
A_SSU = "Social- og sundhedspersonale, KL"
A_SPÆ = "Socialpædagoger og pæd.pers.døgninst.mv."
A_SRÅ = "Socialrådgiver/socialformidlere, KL"
A_SYG = "Syge- og sundhedspersonale - basis, KL"
AGREEMENTS = [A_ADM, A_AKA, A_ERG, A_HJV, A_HUS, A_LED, A_OMS, A_PUL, A_SSU, A_SPÆ, A_SRÅ, A_SYG]

C_RV = "Rådgivning og Visitation"
C_AUT = "Center for Autismetilbud til Voksne"
C_BOS = "Center for Bosteder til Voksne"
C_DAG = "Center for Dagtilbud og Aktivitet"
C_BES = "Center for Beskyttet Beskæftigelse"
C_HJE = "Center for Hjerneskade og Rehabilitering"
_WORKPLACE_GROUPS = [
    (C_RV, "Rådgivning og Visitation, Team ", ["Handicap", "Autisme og ADHD", "Hjerneskade"]),
    (C_AUT, "Autismetilbuddet ", ["Egebakken", "Lindehøj", "Birkely", "Bøgeskoven", "Granly",
                                  "Elmehuset", "Askely", "Pileparken", "Rønnebærhuset", "Hasselhuset",
                                  "Kastanjehuset", "Valmuen", "Solsikken", "Engblommen", "Kløvervang",
                                  "Lyngbo"]),
    (C_BOS, "Bostedet ", ["Mosegården", "Skovbrynet", "Søhuset", "Åbakken", "Bakkely", "Fjordglimt",
                          "Havblik", "Strandhuset", "Klitten", "Marehalm", "Tangen", "Vestervang",
                          "Østervang", "Nordlyset", "Sydbakken", "Midtpunktet", "Kildebakken",
                          "Bækkely", "Engvej", "Markhuset"]),
    (C_DAG, "Aktivitetshuset ", ["Højvang", "Dalgården", "Toftegården", "Kirkebakken", "Møllebakken",
                                 "Vejlebo", "Gadekæret", "Torvehuset", "Stjernen", "Månehuset",
                                 "Solstrålen", "Regnbuen", "Fyrtårnet", "Ankeret"]),
    (C_BES, "Værkstedet ", ["Kompasset", "Broen", "Porten", "Tårnet", "Vindmøllen", "Havnehuset",
                            "Lyset", "Kilden", "Trinbrættet", "Stien", "Lærkereden", "Svalen"]),
    (C_HJE, "Neurotilbuddet ", ["Uglebo", "Spurvehuset", "Mågen", "Ørnereden", "Tranen", "Hejren",
                                "Viben", "Storken", "Ravnsborg", "Falkehøj", "Duehuset", "Glenten"]),
]
WORKPLACES: list[tuple[str, str]] = [(prefix + name, centre)
                                     for centre, prefix, names in _WORKPLACE_GROUPS for name in names]
HOURS = ["1-9 timer", "10-19 timer", "20-29 timer", "30-36 timer", "37 timer"]
PART_HOURS = HOURS[:4]
JA_NEJ = ["Ja", "Nej"]
MULIGHED = ["Ja", "Nej", "Ved ikke"]

QUESTIONS: list[tuple[str, str, list[str] | None]] = [
    ("s_1", "Hvad er dit køn?", KOEN),
    ("s_2", "Hvor gammel er du?", ALDER),
    ("s_3", "Hvad er din stillingsbetegnelse?", TITLES),
    ("s_4", "Hvilken overenskomst er du ansat efter?", AGREEMENTS),
    ("s_5", "Hvilket tilbud er du ansat i?", [w for w, _ in WORKPLACES]),
    ("s_6", "Hvor mange timer om ugen er du ansat til?", HOURS),
    ("s_7", "Ønsker du at gå op i tid?", JA_NEJ),
    ("s_8", "Til hvor mange timer om ugen ønsker du at gå op?", HOURS),
    ("s_9", "Hvorfor ønsker du at gå op i tid?", None),
    ("s_10", "Hvorfor ønsker du ikke at gå op i tid?", None),
    ("s_11", "Ønsker du at gå ned i tid?", JA_NEJ),
    ("s_12", "Til hvor mange timer om ugen ønsker du at gå ned?", PART_HOURS),
    ("s_13", "Hvorfor ønsker du at gå ned i tid?", None),
    ("s_14", "Hvorfor ønsker du ikke at gå ned i tid?", None),
    ("s_15", "Oplever du, at det er muligt at gå op eller ned i tid på din arbejdsplads?", MULIGHED),
    ("s_16", "Uddyb gerne dit svar", None),
]
OPTIONS = {var: opts for var, _, opts in QUESTIONS if opts is not None}
OPEN_VARS = [var for var, _, opts in QUESTIONS if opts is None]

ADMIN_COLUMNS = (["respondentid"] + [f"statinternal_{i}" for i in range(1, 21)]
                 + ["created", "modified", "closetime", "starttime", "difftime",
                    "responsecollectsessions", "numberofreturnedmail", "importgroup",
                    "distributionschedule", "email", "digitaldistributionstatus",
                    "digitaldistributionerrormessage"])
STATUS_COLUMNS = ([f"statcompletion_{i}" for i in range(1, 4)]
                  + [f"statdistribution_{i}" for i in range(1, 6)]
                  + [f"statoverall_{i}" for i in range(1, 6)])
DATASET_COLUMNS = ADMIN_COLUMNS + [var for var, _, _ in QUESTIONS] + STATUS_COLUMNS
DATE_FORMAT = "%d-%m-%Y %H:%M:%S"  # SurveyXact's Danish style, e.g. 27-07-2022 09:14:03

# =====================================================================================================
# DATA: what the memo publishes (published_tables.yaml). The self-check compares the written files
# against these numbers, which are kept apart from the allocation targets below on purpose.
# =====================================================================================================

PUBLISHED = {
    "distributed": 1172, "answered": 333,
    "t1": {"Ja": 65, "Nej": 149},
    "t2": {"1-9 timer": 12, "10-19 timer": 2, "20-29 timer": 5, "30-36 timer": 7, "37 timer": 39},
    "t3": {"base": 55, "Økonomi": 29, "Overskud og ansvar": 17, "Opgavebyrde": 4,
           "Ansættelsesvilkår": 5},
    "t4": {"base": 121, "Arbejdspres": 22, "Tilfredshed": 40, "Fritid, familietid og uddannelse": 31,
           "Alder, sygdom og fleksjob": 23, "Vagtplan": 5},
    "t5": {"Ja": 30, "Nej": 87},
    "t6": {"1-9 timer": 13, "10-19 timer": 0, "20-29 timer": 3, "30-36 timer": 14},
    "t7": {"base": 26, "Arbejdspres": 7, "Overskud og sundhed": 7, "Mere fritid og familietid": 12},
    "t8": {"base": 62, "Tilfredshed": 38, "Økonomi": 17, "Opgavebyrde": 7, "Lederstilling": 2},
    "t9": {"base": 22, "Manglende ressourcer": 12, "Tilbuddets organisering": 8,
           "Ansættelsesforhold": 2},
    "t10": {A_ADM: 17, A_AKA: 7, A_ERG: 23, A_HJV: 10, A_HUS: 2, A_LED: 1, A_OMS: 46, A_PUL: 2,
            A_SSU: 34, A_SPÆ: 135, A_SRÅ: 28, A_SYG: 3, "Har ikke svaret": 25},
    "t11": {"Rådgivning og Visitation": (0, 2), "Resterende tilbud": (52, 116),
            "Tilbud ikke angivet": (13, 31)},
    "t12": {"Rådgivning og Visitation": (6, 7), "Resterende tilbud": (10, 61),
            "Tilbud ikke angivet": (14, 19)},
    "t13": {A_ADM: (0, 10), A_AKA: (1, 2), A_ERG: (3, 13), A_HJV: (1, 4), A_HUS: (0, 2), A_LED: (0, 1),
            A_OMS: (17, 21), A_PUL: (0, 0), A_SSU: (3, 23), A_SPÆ: (32, 55), A_SRÅ: (3, 3),
            A_SYG: (0, 2), "Overenskomst ikke angivet": (5, 13)},
    "t14": {A_ADM: (6, 1), A_AKA: (0, 4), A_ERG: (1, 6), A_HJV: (2, 3), A_HUS: (0, 0), A_LED: (0, 0),
            A_OMS: (0, 8), A_PUL: (1, 1), A_SSU: (1, 6), A_SPÆ: (8, 39), A_SRÅ: (7, 15),
            A_SYG: (0, 1), "Overenskomst ikke angivet": (4, 3)},
    "fulltime": 117, "parttime": 214, "no_hours": 2,
    "top_titles": {"Pædagog": 69, "Socialpædagog": 66, "Omsorgsmedhjælper": 44, "Socialrådgiver": 27},
    "no_titles": ["Plejer (bofællesskaber)", "Pædagogstuderende 1. praktikperiode",
                  "Rengøringsassistent", "Serviceassistent (døgnområdet)", "Sygeplejerske",
                  "Teknisk servicemedarbejder"],
    "workplaces_used": 63,
}
POPULATION_CSV = (
    "variabel;kategori;antal;omfatter\n"
    "koen;Kvinde;832;\n"
    "koen;Mand;340;\n"
    "timetal;Under 30 timer;481;1-9 timer|10-19 timer|20-29 timer\n"
    "timetal;30-36 timer;386;30-36 timer\n"
    "timetal;37 timer;305;37 timer\n"
)

# =====================================================================================================
# DATA: allocation targets. Together these reproduce the published tables; the numbers were worked
# out by hand so that every margin the memo prints holds at once.
# =====================================================================================================

N_DISTRIBUTED = 1172
N_WITHDRAWN = 7        # statoverall_5 "Frafaldet": opted out after the invitation
WOMEN = 236            # 236/333 = 70.9% women, as the memo says the staff is (71%)
UNDER_19 = 2           # the "small group" the memo mentions

# Respondent cells: (part/full time) x (wish). "uoplyst" are the 2 without stated hours.
CELLS = ["deltid_ja", "deltid_nej", "fuldtid_ja", "fuldtid_nej"]
# Agreement x area per cell: (Rådgivning og Visitation, Resterende tilbud, Tilbud ikke angivet).
# Rows give tables 13/14, columns give tables 11/12. Socialrådgivere sit mostly in Rådgivning og
# Visitation, which (being the authority) has almost no part-timers. None = agreement not answered.
AGREEMENT_AREA: dict[str, dict[str | None, tuple[int, int, int]]] = {
    "deltid_ja": {A_AKA: (0, 1, 0), A_ERG: (0, 3, 0), A_HJV: (0, 1, 0), A_OMS: (0, 14, 3),
                  A_SSU: (0, 3, 0), A_SPÆ: (0, 26, 6), A_SRÅ: (0, 2, 1), None: (0, 2, 3)},
    "deltid_nej": {A_ADM: (0, 8, 2), A_AKA: (0, 2, 0), A_ERG: (0, 11, 2), A_HJV: (0, 4, 0),
                   A_HUS: (0, 2, 0), A_LED: (0, 1, 0), A_OMS: (0, 16, 5), A_SSU: (0, 19, 4),
                   A_SPÆ: (0, 44, 11), A_SRÅ: (2, 0, 1), A_SYG: (0, 2, 0), None: (0, 7, 6)},
    "fuldtid_ja": {A_ADM: (1, 3, 2), A_ERG: (0, 0, 1), A_HJV: (0, 1, 1), A_PUL: (0, 1, 0),
                   A_SSU: (0, 0, 1), A_SPÆ: (0, 4, 4), A_SRÅ: (5, 0, 2), None: (0, 1, 3)},
    "fuldtid_nej": {A_ADM: (0, 1, 0), A_AKA: (1, 3, 0), A_ERG: (0, 5, 1), A_HJV: (0, 3, 0),
                    A_OMS: (0, 6, 2), A_PUL: (0, 1, 0), A_SSU: (0, 4, 2), A_SPÆ: (0, 31, 8),
                    A_SRÅ: (6, 5, 4), A_SYG: (0, 1, 0), None: (0, 1, 2)},
}
# The two respondents who skipped the hours question (table 10 vs tables 13+14).
NO_HOURS = [A_SSU, A_SPÆ]
AREAS = ["rv", "rest", "none"]

# Job titles within each agreement. Title totals give the memo's list: Pædagog 69, Socialpædagog 66,
# Omsorgsmedhjælper 44, Socialrådgiver 27 largest; six titles with nobody.
TITLES_BY_AGREEMENT: dict[str | None, dict[str, int]] = {
    A_ADM: {"Administrativ medarbejder": 9, "Sekretær": 4, "IT-medarbejder": 2, "Koordinator": 2},
    A_AKA: {"Akademisk medarbejder": 4, "Konsulent": 3},
    A_ERG: {"Ergoterapeut": 14, "Fysioterapeut": 9},
    A_HJV: {"Hjemmevejleder": 8, "Anden stilling": 2},
    A_HUS: {"Husassistent": 1, "Køkkenassistent": 1},
    A_LED: {"Værkstedsassistent": 1},
    A_OMS: {"Omsorgsmedhjælper": 40, "Pædagogisk assistent": 3, "Pædagogmedhjælper": 2,
            "Omsorgsassistent": 1},
    A_PUL: {"Afdelingsleder": 2},
    A_SSU: {"Social- og sundhedsassistent": 19, "Social- og sundhedshjælper": 14,
            "Omsorgsassistent": 1},
    A_SPÆ: {"Pædagog": 64, "Socialpædagog": 62, "Pædagogstuderende 2./3. praktikperiode": 2,
            "Beskæftigelsesvejleder": 4, "Anden stilling": 3},
    A_SRÅ: {"Socialrådgiver": 25, "Socialformidler": 3},
    A_SYG: {"Anden stilling": 3},
    None: {"Pædagog": 5, "Socialpædagog": 4, "Omsorgsmedhjælper": 4, "Socialrådgiver": 2,
           "Administrativ medarbejder": 2, "Kok/ernæringsassistent": 2, "Pædagogmedhjælper": 2,
           "Anden stilling": 1, "Afdelingsleder": 1, "Beskæftigelsesvejleder": 1, "Koordinator": 1},
}
# Titles that must land in a given cell: the leader without an agreement is the second "Er leder."
PINNED_TITLES = {(None, "Afdelingsleder"): "fuldtid_nej"}
# Propensity to be full-time, per title: decides who within an agreement holds the full-time rows.
P_FULLTIME = {
    "Afdelingsleder": 1.0, "Socialrådgiver": 0.8, "Socialformidler": 0.6, "Konsulent": 0.8,
    "Akademisk medarbejder": 0.7, "IT-medarbejder": 0.8, "Koordinator": 0.7,
    "Administrativ medarbejder": 0.5, "Sekretær": 0.4, "Beskæftigelsesvejleder": 0.5,
    "Værkstedsassistent": 0.5, "Pædagog": 0.4, "Socialpædagog": 0.4, "Hjemmevejleder": 0.4,
    "Ergoterapeut": 0.35, "Fysioterapeut": 0.35, "Anden stilling": 0.35,
    "Social- og sundhedsassistent": 0.25, "Social- og sundhedshjælper": 0.15,
    "Omsorgsmedhjælper": 0.15, "Pædagogmedhjælper": 0.15, "Pædagogisk assistent": 0.3,
    "Omsorgsassistent": 0.2, "Pædagogstuderende 2./3. praktikperiode": 0.3, "Husassistent": 0.2,
    "Køkkenassistent": 0.2, "Kok/ernæringsassistent": 0.3,
}
# Propensity of a part-timer to work under 30 hours, per title (default 1).
LOW_HOURS_WEIGHT = {
    "Omsorgsmedhjælper": 3, "Pædagogmedhjælper": 3, "Pædagogstuderende 2./3. praktikperiode": 3,
    "Social- og sundhedshjælper": 2.5, "Husassistent": 2, "Køkkenassistent": 2,
    "Social- og sundhedsassistent": 1.5, "Kok/ernæringsassistent": 1.5, "Anden stilling": 1.5,
    "Omsorgsassistent": 1.5, "Pædagogisk assistent": 1.5, "Ergoterapeut": 0.8,
    "Beskæftigelsesvejleder": 0.8, "Administrativ medarbejder": 0.8, "Sekretær": 0.8,
    "Koordinator": 0.5, "IT-medarbejder": 0.5, "Socialrådgiver": 0.3, "Socialformidler": 0.3,
    "Akademisk medarbejder": 0.3, "Konsulent": 0.3,
}
# Part-timers' current hours by wish. Ja share: 1-9 7/19 = 37%, 10-19 3/18 = 17% (lowest),
# 20-29 7/23 = 30%, 30-36 48/154 = 31% (figure 1); under 30 h: 60/333 = 18% of respondents.
HOURS_BY_WISH = {
    "deltid_ja": {"1-9 timer": 7, "10-19 timer": 3, "20-29 timer": 7, "30-36 timer": 48},
    "deltid_nej": {"1-9 timer": 12, "10-19 timer": 15, "20-29 timer": 16, "30-36 timer": 106},
}
# Wished hours (s_8) by current hours: mostly above the current band, but the "1-9 timer" answers
# come from people who read the question as "how many more hours" (as the memo suspects). Table 2.
S8_BY_CURRENT = {
    "1-9 timer": {"10-19 timer": 2, "20-29 timer": 3, "37 timer": 2},
    "10-19 timer": {"20-29 timer": 2, "37 timer": 1},
    "20-29 timer": {"1-9 timer": 1, "30-36 timer": 3, "37 timer": 3},
    "30-36 timer": {"1-9 timer": 11, "30-36 timer": 4, "37 timer": 33},
}
S12_COUNTS = {"1-9 timer": 13, "20-29 timer": 3, "30-36 timer": 14}  # table 6
# "Delvist besvaret": stopped after the wish questions (s_7/s_8 or s_11/s_12), before any open text,
# s_15 and s_16. Keyed by (cell, current hours).
PARTIALS = {("deltid_ja", "30-36 timer"): 2, ("deltid_nej", "30-36 timer"): 4,
            ("deltid_nej", "20-29 timer"): 1, ("deltid_nej", "1-9 timer"): 1,
            ("fuldtid_ja", "37 timer"): 1, ("fuldtid_nej", "37 timer"): 6}
# s_15 (Ja, Nej, Ved ikke) by current hours among those who answered it (318). Overall 191/105/22 =
# 60%/33%/7% (figure 2); Nej share highest for 10-19 timer, 9/18 = 50% (figure 3).
S15_BY_HOURS: dict[str | None, tuple[int, int, int]] = {
    "1-9 timer": (11, 6, 1), "10-19 timer": (8, 9, 1), "20-29 timer": (13, 7, 2),
    "30-36 timer": (90, 48, 10), "37 timer": (68, 35, 7), None: (1, 0, 1),
}
# Coded answers per question and category (tables 3, 4, 7, 8, 9). s_14 also has two respondents
# with two categories each (DUALS below), which is why table 8 adds to 64 over a base of 62.
CODE_TARGETS = {
    "s_9": {"Økonomi": 29, "Overskud og ansvar": 17, "Opgavebyrde": 4, "Ansættelsesvilkår": 5},
    "s_10": {"Arbejdspres": 22, "Tilfredshed": 40, "Fritid, familietid og uddannelse": 31,
             "Alder, sygdom og fleksjob": 23, "Vagtplan": 5},
    "s_13": {"Arbejdspres": 7, "Overskud og sundhed": 7, "Mere fritid og familietid": 12},
    "s_14": {"Tilfredshed": 38, "Økonomi": 17, "Opgavebyrde": 7, "Lederstilling": 2},
    "s_16": {"Manglende ressourcer": 12, "Tilbuddets organisering": 8, "Ansættelsesforhold": 2},
}
# Routed but not coded: how many write something uncodable (the rest leave the field empty).
UNCODABLE = {"s_9": 3, "s_10": 7, "s_13": 1, "s_14": 6, "s_16": 6}
S16_FREE = {"Ja": 52, "Ved ikke": 13}  # s_16 texts from those answering Ja / Ved ikke (never coded)

# Workplaces nobody answered from (14 of 77, so respondents come from 63).
UNUSED_WORKPLACES = {"Autismetilbuddet Rønnebærhuset", "Autismetilbuddet Valmuen",
                     "Autismetilbuddet Kløvervang", "Bostedet Havblik", "Bostedet Marehalm",
                     "Bostedet Nordlyset", "Bostedet Engvej", "Aktivitetshuset Vejlebo",
                     "Aktivitetshuset Månehuset", "Aktivitetshuset Fyrtårnet",
                     "Værkstedet Havnehuset", "Værkstedet Lærkereden", "Neurotilbuddet Viben",
                     "Neurotilbuddet Duehuset"}
# Which centres an agreement's employees work in (weights), for workplaces outside Rådgivning og
# Visitation; a few titles override their agreement.
CENTRE_WEIGHTS: dict[str | None, dict[str, float]] = {
    A_ADM: {C_AUT: 1, C_BOS: 1, C_DAG: 1, C_BES: 1.5, C_HJE: 1},
    A_AKA: {C_HJE: 2, C_BES: 1, C_BOS: 1, C_AUT: 1},
    A_ERG: {C_HJE: 4, C_DAG: 2, C_BOS: 1, C_AUT: 1},
    A_HJV: {C_AUT: 2, C_BOS: 2, C_HJE: 1},
    A_HUS: {C_BOS: 2, C_AUT: 1, C_DAG: 1},
    A_LED: {C_BES: 1},
    A_OMS: {C_BOS: 3, C_AUT: 2, C_DAG: 2, C_HJE: 1, C_BES: 0.5},
    A_PUL: {C_BOS: 1, C_AUT: 1, C_DAG: 1},
    A_SSU: {C_BOS: 3, C_HJE: 3, C_AUT: 1},
    A_SPÆ: {C_AUT: 3, C_BOS: 3, C_DAG: 2, C_BES: 1.5, C_HJE: 1},
    A_SRÅ: {C_BES: 2, C_HJE: 1},
    A_SYG: {C_HJE: 2, C_BOS: 1},
    None: {C_AUT: 1, C_BOS: 1, C_DAG: 1, C_BES: 1, C_HJE: 1},
}
TITLE_CENTRE_WEIGHTS = {
    "Beskæftigelsesvejleder": {C_BES: 3, C_DAG: 1},
    "Værkstedsassistent": {C_BES: 1},
    "Fysioterapeut": {C_HJE: 3, C_DAG: 1},
    "Kok/ernæringsassistent": {C_BOS: 1, C_DAG: 1, C_HJE: 1},
}
# Share of women per title (default 0.7); only relative sizes matter, exactly WOMEN are drawn.
P_WOMAN = {
    "Socialrådgiver": 0.88, "Socialformidler": 0.8, "Social- og sundhedsassistent": 0.9,
    "Social- og sundhedshjælper": 0.9, "Sekretær": 0.95, "Administrativ medarbejder": 0.8,
    "Ergoterapeut": 0.9, "Husassistent": 0.9, "Køkkenassistent": 0.8, "Omsorgsmedhjælper": 0.62,
    "Pædagogmedhjælper": 0.6, "Pædagog": 0.72, "Socialpædagog": 0.66, "IT-medarbejder": 0.2,
    "Værkstedsassistent": 0.3, "Beskæftigelsesvejleder": 0.5, "Afdelingsleder": 0.6,
    "Kok/ernæringsassistent": 0.6, "Anden stilling": 0.6,
}
# Age weights over ALDER (Under 19 is set separately).
AGE_WEIGHTS_DEFAULT = [0, 0.16, 0.22, 0.24, 0.24, 0.14]
AGE_WEIGHTS_TITLE = {
    "Pædagogstuderende 2./3. praktikperiode": [0, 0.8, 0.2, 0, 0, 0],
    "Afdelingsleder": [0, 0, 0.2, 0.4, 0.3, 0.1],
    "Pædagogmedhjælper": [0, 0.45, 0.2, 0.15, 0.12, 0.08],
    "Omsorgsmedhjælper": [0, 0.3, 0.22, 0.2, 0.18, 0.1],
}
# Categories that shift the age a respondent is given (multiplied onto the weights).
AGE_BY_CATEGORY = {
    "Alder, sygdom og fleksjob": [0, 0.3, 0.6, 1, 1.6, 2.2],
    "Fritid, familietid og uddannelse": [0, 1.8, 1.6, 1, 0.5, 0.3],
    "Overskud og sundhed": [0, 0.5, 0.8, 1, 1.4, 1.4],
    "Overskud og ansvar": [0, 1.2, 1, 1, 0.9, 0.6],
}
UNDER_19_TITLES = {"Omsorgsmedhjælper", "Pædagogmedhjælper", "Køkkenassistent"}

# =====================================================================================================
# DATA: open answers. Hand-written pools, one per question and category. Entries marked memo=True are
# the memo's quoted examples, used verbatim and offered as quotes (citat) in coding.csv; must=True
# entries (the personal-data and injection hazards) are always used, verbatim. Other entries may get
# a lower-case first letter or lose their final full stop, as people type. Constraints (hours, titles,
# part, centres) restrict who can have written the answer; sex/age tags steer the demographics.
# =====================================================================================================

YOUNG = ("19-29 år",)
UNDER_40 = ("19-29 år", "30-39 år")
UNDER_50 = ("19-29 år", "30-39 år", "40-49 år")
OVER_40 = ("40-49 år", "50-59 år", "60 år eller derover")
OVER_50 = ("50-59 år", "60 år eller derover")
OVER_60 = ("60 år eller derover",)
H_20 = ("20-29 timer",)
H_30 = ("30-36 timer",)
H_UNDER_30 = ("1-9 timer", "10-19 timer", "20-29 timer")
AUTHORITY = ("rv", "none")   # Rådgivning og Visitation, or workplace not given
PROVIDER = ("rest", "none")  # a provider (udfører), or workplace not given


@dataclass(frozen=True)
class E:
    """One hand-written open answer and what it implies about its writer."""

    text: str
    memo: bool = False           # quoted in the memo: verbatim, always used, a quote candidate
    must: bool = False           # a deliberate hazard: verbatim, always used
    hours: tuple[str, ...] | None = None   # writer's current hours must be one of these
    titles: tuple[str, ...] | None = None  # writer's job title must be one of these
    part: bool = False           # writer must be part-time
    areas: tuple[str, ...] | None = None    # writer's area must be one of rv, rest, none
    centres: tuple[str, ...] | None = None  # writer's workplace (if given) is in one of these centres
    sex: str | None = None       # the text gives the writer's sex away
    age: tuple[str, ...] | None = None     # the text limits the writer's age group


POOLS: dict[str, dict[str, list[E | str]]] = {
    "s_9": {
        "Økonomi": [
            E("For at tjene lidt ekstra.", memo=True),
            "Økonomi",
            "mere i løn",
            "Fordi jeg gerne vil have en bedre økonomi",
            "Det kan mærkes på lønnen at man er på deltid, især nu hvor alting er blevet dyrere",
            "priserne stiger og jeg skal kunne betale min husleje",
            E("Pension. Jeg kan se at jeg kommer til at mangle når jeg stopper", age=OVER_40),
            "bedre løn og bedre pension",
            E("Jeg er alene med to børn og pengene slår ikke til", age=UNDER_50),
            "vil gerne kunne spare lidt op",
            "Har lige købt hus",
            "For at få en højere indkomst",
            E("Min mand er gået på efterløn, så vi mangler en indtægt", sex="Kvinde", age=OVER_50),
            "Pengene. Helt ærligt",
            E("Fordi 30 timer ikke er nok at leve af når man bor alene", hours=H_30),
            "For at få råd til lidt mere end det nødvendige",
            E("+ flere penge på kontoen hver måned", must=True),
            "økonomisk nødvendigt",
            "Jeg vil gerne have en fuld løn ligesom mine kollegaer",
            "Har brug for flere penge, benzin og el er steget vildt meget",
            "Min økonomi er presset og jeg tager allerede mange extravagter",
            "Så jeg ikke skal tage ekstra vagter for at få det til at løbe rundt",
            "Løn",
            "Jeg ville gerne have højere løn og mere pension indbetalt",
            E("økonomi, vi er en familie på 5", age=UNDER_50),
            "Skal kunne forsørge mig selv uden hjælp fra andre",
            "Fordi det giver mere i pungen sidst på måneden",
            "For at få et huslån skal jeg have en højere fast indkomst siger banken",
            "Mere løn. Og så slipper jeg for at have et bijob ved siden af",
            "fordi jeg lige er blevet skilt og nu skal klare mig på en indkomst",
            E("Det er svært at få enderne til at mødes på 28 timer", hours=H_20),
        ],
        "Overskud og ansvar": [
            E("Elsker mit job, har meget energy. Vi mangler også personale ligesom alle andre steder.",
              memo=True),
            E("Jeg har overskuddet til det nu hvor børnene er blevet store", age=OVER_40),
            "Vil gerne være mere en del af arbejdspladsen og følge beboerne tættere",
            "Jeg har fået det bedre og kan klare flere timer nu",
            "For at kunne tage mere ansvar, fx som kontaktperson",
            "Kunne godt tænke mig at være mere med i fællesskabet og til personalemøderne",
            "jeg har energien til det og kan godt lide mit arbejde",
            "Jeg trives rigtig godt og vil gerne bidrage mere",
            "vil gerne have flere opgaver og mere ansvar",
            E("Børnene er flyttet hjemmefra så nu har jeg tiden", age=OVER_40),
            "Jeg føler tit at jeg misser ting fordi jeg er her så lidt. vil gerne være mere med",
            E("Fordi jeg er færdig med min uddannelse og nu kan arbejde mere", age=UNDER_40),
            "Har lyst til at udvikle mig fagligt og tage flere opgaver på mig",
            "For at få en bedre kontinuitet med borgerne",
            "mere tid sammen med borgerne og kollegerne, og jeg har overskud til det",
            "Jeg vil gerne være tovholder på nogle af aktiviteterne, og det kræver flere timer",
            "Har det godt og kan sagtens klare en fuldtidsstilling",
            "Fordi jeg gerne vil være en fast del af teamet og ikke bare den der kommer om aftenen",
            "Jeg kan bedre følge med i hvad der sker med borgerne hvis jeg er her mere",
        ],
        "Opgavebyrde": [
            E("Fordi jeg ikke kan løse min opgave optimalt med de timer jeg har pt.", memo=True),
            "Jeg når ikke mine opgaver på den tid jeg har",
            E("Der er for mange opgaver til 30 timer, jeg arbejder alligevel over", hours=H_30),
            "Mine opgaver er vokset, men timerne er de samme",
            "kan ikke nå dokumentation og møder på mine timer",
        ],
        "Ansættelsesvilkår": [
            E("Er kun ansat som vikar.", memo=True),
            E("Ved sygdom/ferie udbetales der ingen tillæg og er derfor en nedgang i udbetaling",
              memo=True),
            "Jeg vil gerne have en fast stilling med faste timer i stedet for at blive ringet op "
            "hele tiden",
            E("Min kontrakt er på 25 timer men jeg arbejder reelt 34, så det skal bare stå i "
              "kontrakten", hours=H_20),
            "Jeg vil have de samme vilkår som mine fuldtidskolleger",
            "Tillæggene forsvinder når man er syg eller på ferie, det er urimeligt",
        ],
    },
    "s_10": {
        "Arbejdspres": [
            E("Arbejdsvilkårene og resurserne er simpelthen for dårlige, så fuldtid er alt for hårdt",
              memo=True),
            "Det er et hårdt job både fysisk og psykisk, jeg kan ikke holde til flere timer",
            "For meget pres på arbejdet",
            "Vi løber allerede alt for stærkt",
            "jeg er træt når jeg kommer hjem, flere timer ville slide mig helt op",
            "Der er for mange udadreagerende borgere og for lidt personale",
            "Fordi arbejdet er for hårdt til at man kan holde til det på fuld tid",
            "Arbejdspresset er for stort, man går hjem med ondt i maven",
            "For mange opgaver og for lidt tid, så deltid er det eneste der holder mig kørende",
            "Jeg har set for mange kolleger gå ned med stress, jeg skal passe på mig selv",
            "vagterne er så travle at jeg ikke kan klare mere",
            "Der mangler personale hele tiden og så står man alene med det hele",
            E("Det er psykisk belastende arbejde, 30 timer er rigeligt", hours=H_30),
            "Normeringen er for lav, man bliver slidt op",
            "arbejdsmiljøet er presset og der er meget sygefravær",
            "Jeg ville ikke kunne holde til det med det tempo vi har nu",
            "For hårdt arbejde",
            "Det er allerede et hårdt job, der er ikke overskud til mere",
            "Vi er for få på arbejde og det er meget krævende",
            "Konstant travlhed, mange vikarer og mange nye kolleger der skal læres op",
            "Har prøvet at være på fuld tid og det var for hårdt med det pres der er",
            "fordi der er alt for meget at lave og alt for lidt tid til borgerne",
            "Tempoet er for højt og man når aldrig at trække vejret",
            "Det er et krævende job med meget ansvar og mange konflikter",
        ],
        "Tilfredshed": [
            E("En 32-timers arbejdsuge er det, jeg ønsker at bidrage med", memo=True, hours=H_30),
            E("Det passer mig fint", memo=True),
            "Jeg er tilfreds med det timetal jeg har",
            "Er glad for mine timer",
            "Det passer perfekt til mit liv",
            "jeg har valgt deltid selv og er glad for det",
            "Fordi jeg er tilfreds",
            "Har det godt med de timer jeg har nu",
            "Jeg har det timetal jeg ønsker",
            E("32 timer er lige tilpas", hours=H_30),
            "Jeg er godt tilfreds med min nuværende arbejdstid",
            "Det fungerer godt som det er",
            "Har fundet en god balance",
            "Jeg er meget tilfreds med min stilling som den er",
            "passer mig godt",
            "Er lige gået ned i tid og er glad for det",
            "jeg er tilfreds. ingen grund til at ændre noget",
            "Det er det timetal der passer til min hverdag",
            "Min arbejdstid passer godt, hverken mere eller mindre",
            "Jeg har lige præcis de timer jeg gerne vil have",
            "Er tilfreds med mit nuværende timeantal",
            E("Har det fint med 30 timer", hours=H_30),
            "Det er rigeligt for mig",
            "jeg er glad for at have en lidt kortere arbejdsuge",
            "Har haft fuldtid før og foretrækker det her",
            "Det er et bevidst valg og jeg er glad for det",
            "Passer godt til mig",
            "Er tilfreds med tingene som de er",
            "jeg har det godt med mine timer og vil ikke ændre på det",
            "Timetallet passer mig rigtig godt",
            "Jeg har ikke behov for flere timer",
            "Synes det passer fint som det er nu",
            "Har det fint",
            E("jeg er tilfreds med 34 timer", hours=H_30),
            "Det er det jeg har lyst til at arbejde",
            "Fordi jeg er tilfreds med min arbejdstid",
            "Har ikke lyst til mere, det er fint sådan her",
            "Min arbejdsuge er god som den er",
            "Er godt tilpas med min tid",
            "Fint med de timer jeg har",
            "jeg syntes mit timetal er passende",
            "Har ikke brug for mere tid på arbejde, det passer fint",
        ],
        "Fritid, familietid og uddannelse": [
            E("Jeg er nybagt mor og vil derfor gerne have tiden til mit barn", memo=True,
              sex="Kvinde", age=UNDER_40),
            E("Jeg er studerende", memo=True, hours=H_UNDER_30, age=YOUNG),
            E("Har små børn og vil gerne have tid til dem", age=UNDER_50),
            "Jeg læser ved siden af",
            "Familien kommer først",
            E("Jeg vil gerne have tid til mine børn og min mand", sex="Kvinde"),
            "Tager en uddannelse ved siden af mit job",
            "Vil gerne have mere fritid",
            E("fordi jeg gerne vil hente mine børn tidligt", age=UNDER_50),
            E("Jeg har brug for tid til familien og mine børnebørn", age=OVER_50),
            E("Studerer på pædagoguddannelsen (merit) ved siden af", age=UNDER_50),
            "Har hest og hund og et stort hus, der skal også være tid til det",
            "vil have tid til mine hobbyer",
            E("Min kone arbejder fuld tid, så der skal være en der har tid til børnene", sex="Mand",
              age=UNDER_50),
            E("Jeg går på SOSU-skolen to dage om ugen", age=UNDER_50),
            E("Passer mine forældre som er syge og har brug for hjælp",
              age=("40-49 år", "50-59 år")),
            "Jeg har et barn med særlige behov som kræver meget af min tid",
            "Prioriterer tid med min familie",
            "Tid til familie og venner",
            E("Jeg er i gang med en kandidat ved siden af", age=UNDER_40),
            E("Har tre børn under 10 år", age=UNDER_50),
            "fritid er vigtigere for mig end flere penge",
            "Jeg synger i kor og dyrker meget sport, det kræver tid",
            E("for at have tid til at være sammen med mine børn inden de bliver for store",
              age=UNDER_50),
            "Skal have tid til min familie",
            "Jeg er ved at tage en efteruddannelse",
            "Vil gerne have tid til andet end arbejde",
            E("Familieliv. Min mand har skiftearbejde så en af os skal være hjemme", sex="Kvinde",
              age=UNDER_50),
            E("Jeg er enlig far og har børnene hver anden uge", sex="Mand", age=UNDER_50),
            E("Jeg tager min HF om aftenen", age=YOUNG),
            E("tid med børnene", age=UNDER_50),
            "Mere tid til mig selv og min familie",
            E("Jeg studerer til socialrådgiver og arbejder ved siden af", age=UNDER_40),
        ],
        "Alder, sygdom og fleksjob": [
            E("Dårlig ryg", memo=True),
            E("Har arbejdsskader", memo=True),
            "Jeg er i fleksjob",
            "Har slidgigt og kan ikke holde til mere",
            E("Er 63 år og skal snart på pension", age=OVER_60),
            "min krop kan ikke klare flere timer",
            "Har en kronisk sygdom",
            E("Fleksjob, 20 timer er max for mig", hours=H_20, age=("30-39 år",) + OVER_40),
            "Pga. helbred",
            E("Har haft en blodprop og skal passe på mig selv", age=OVER_50),
            E("Jeg er på vej på efterløn", age=OVER_60),
            "Har været ramt af stress og er ikke klar til flere timer endnu",
            "Skulderen kan ikke holde til det",
            "Jeg har nedsat arbejdsevne",
            E("alder. er 61", age=OVER_60),
            "Har diskusprolaps og kan ikke arbejde mere end jeg gør",
            "helbredet sætter grænsen",
            E("mit cpr er 010190-1234 hvis i skal finde min sag, har fleksjob og kan ikke mere",
              must=True, age=("30-39 år",)),
            "Jeg har sklerose",
            "Har migræne og bliver syg hvis jeg arbejder for meget",
            "Gigt i hænderne",
            E("Jeg er ved at være oppe i årene, kroppen siger fra", age=OVER_50),
            "Har været sygemeldt længe og er ved at komme tilbage i små timer",
            "Efter en arbejdsulykke kan jeg ikke mere",
            E("knæ og ryg er slidt efter mange år i faget", age=OVER_50),
        ],
        "Vagtplan": [
            E("Med så mange korte vagter kommer man aldrig til at have fri", memo=True),
            "Hvis jeg går op i tid bliver det bare flere korte vagter og flere weekender",
            "Flere timer betyder flere delte vagter, det gider jeg ikke",
            "vagtplanen er skæv, man får bare flere 4 timers vagter",
            "Så skal jeg arbejde endnu flere weekender og aftener",
            "Flere timer her er lig med flere små vagter spredt ud over ugen",
        ],
    },
    "s_13": {
        "Arbejdspres": [
            E("Da arbejdet kan være både fysisk og psykisk hårdt", memo=True),
            E("Fordi det er fysisk og psykisk hårdt og vi løber stærkt, men har dog ikke råd.",
              memo=True),
            E("Et for stort arbejdspres, som stresser meget.", memo=True),
            "For meget arbejde og for lidt tid",
            "Der er et stort pres på os hele tiden",
            E("sagstallet er for højt", titles=("Socialrådgiver", "Socialformidler"),
              areas=AUTHORITY),
            "Jobbet er blevet for stressende",
            "Arbejdsmængden er blevet alt for stor",
        ],
        "Overskud og sundhed": [
            E("For at få mere overskud til min familie og mig selv", memo=True),
            E("For at blive aflastet", memo=True),
            E("For at få overskud til at tage end uddannelse", memo=True),
            E("Er slidt", memo=True, age=OVER_40),
            "Jeg er træt og har brug for at lade op",
            "Mit helbred kan ikke holde til 37 timer længere",
            "For at have mere energi, jeg er helt udkørt i weekenderne",
            E("kroppen er ved at være slidt op", age=OVER_50),
        ],
        "Mere fritid og familietid": [
            E("Det vil medføre, at hverdagen hang bedre sammen.", memo=True),
            E("Prioritere fritid fremfor løn", memo=True),
            E("Pga familietid.", memo=True),
            E("mere tid med mine børn", age=UNDER_50),
            "For at få mere fritid",
            "Vil gerne have en fridag om ugen",
            E("Mine børn er små og jeg vil gerne se dem noget mere", age=UNDER_50),
            E("Jeg vil gerne have mere tid til mine børnebørn", age=OVER_50),
            E("så jeg kan hente tidligere i børnehaven", age=UNDER_50),
            "Tid til familien",
            "Mere tid til at leve livet ved siden af arbejdet",
            E("Min mand er gået på pension og vi vil gerne have mere tid sammen", sex="Kvinde",
              age=OVER_50),
            "Fri om fredagen ville være dejligt",
        ],
    },
    "s_14": {
        "Tilfredshed": [
            E("At jeg trives med at arbejde fuld tid.", memo=True),
            E("God arbejdsplads og godt helbred.", memo=True),
            "Jeg er glad for mit arbejde",
            "Det passer mig godt med fuld tid",
            "jeg trives med det",
            "Jeg er tilfreds med mine timer",
            "Har det fint med 37 timer",
            "Kan godt lide mit job og har det godt med at være på fuld tid",
            "Fordi jeg er tilfreds",
            "Jeg har det godt og har overskud",
            "Fuldtid passer til mit liv",
            "Det fungerer fint for mig",
            "Jeg er tilfreds med min arbejdstid",
            "Har ingen grund til det",
            "Jeg elsker mit arbejde",
            "Trives rigtig godt her",
            "er tilfreds",
            "Jeg har en god balance mellem arbejde og fritid",
            E("Børnene er store, så der er tid nok", age=OVER_40),
            "Har det godt med at arbejde fuld tid og kan sagtens nå det hele",
            "Jeg kan lide at være en fast del af huset",
            "Mit arbejde giver mig energi",
            "Det er fint som det er",
            "Har altid været på fuld tid og det passer mig",
            E("Jeg er glad for mit job; kan godt lide at være her hele ugen", must=True),
            E("Jeg er glad for mit arbejde\nog mine kollegaer", must=True),
            "Trives med fuld tid, har gode kollegaer og en god leder",
            "Ingen grund, jeg er tilfreds",
            "Det er det jeg har valgt og det har jeg det godt med",
            "Jeg er tilfreds med tingene som de er nu",
            "passer mig fint at være på fuldtid",
            "Min arbejdsuge fungerer godt",
            "har det godt",
            "Jeg er glad for at gå på arbejde",
            "Jeg kan sagtens holde til det",
            "Har det godt med mine arbejdstider",
            "Jeg har et godt job med gode vilkår",
            "Fuld tid er godt for mig. Jeg keder mig hvis jeg har for meget fri",
        ],
        "Økonomi": [
            E("Jeg har ikke råd til at gå ned i tid.", memo=True),
            "Økonomi",
            "Har ikke råd",
            "kan ikke få økonomien til at hænge sammen på færre timer",
            "Har brug for lønnen",
            "Vi har lige købt hus",
            "Pensionen skal helst ikke blive mindre",
            "Jeg er eneforsørger",
            "Det har jeg ikke økonomi til",
            "Løn",
            "økonomien tillader det ikke",
            "Jeg ville gerne, men pengene rækker ikke",
            "Kan ikke undvære lønnen",
            "Har ikke råd til det med de priser vi har nu",
            "Mister for meget i løn og pension",
            "Fordi vi skal kunne betale regningerne",
            "Det er ikke økonomisk muligt for mig",
            "Vi er kun en indtægt i husstanden",
        ],
        "Opgavebyrde": [
            E("Vil nødvendigvis ikke få færre arbejdsopgaver, kun mindre tid til at udføre dem i.",
              memo=True),
            E("Det er urealistisk som socialrådgiver og et sagstal på over 200     for lidt tid, "
              "for få hænder og for meget arbejde!", memo=True, titles=("Socialrådgiver",),
              areas=AUTHORITY),
            "Opgaverne forsvinder jo ikke fordi jeg går ned i tid",
            "Jeg ville bare skulle nå det samme på kortere tid",
            "der er alt for mange opgaver til at man kan gå ned i tid",
            "Så ville jeg ikke kunne nå mine opgaver",
            "Arbejdet skal jo laves alligevel, så det ville bare give mere stress",
        ],
        "Lederstilling": [
            E("Er leder.", memo=True, titles=("Afdelingsleder",)),
            E("Jeg er leder, og det kan ikke lade sig gøre på deltid", titles=("Afdelingsleder",)),
        ],
    },
    "s_16": {
        "Manglende ressourcer": [
            E("Jeg har forsøgt at komme op på 37 timer, men der er åbenbart ikke penge til det",
              memo=True, part=True),
            E("Arbejdspladsen kan ikke hænge sammen, da flere er gået ned i tid", memo=True),
            E("Vi har ikke personale nok", memo=True),
            "Der er ikke budget til flere timer",
            E("<b>Vi mangler hænder!</b> Så ingen kan gå ned i tid", must=True),
            "Der er ingen penge, har spurgt flere gange",
            "Hvis nogen går ned i tid er der ikke nogen til at dække vagterne",
            "Normeringen er fastlagt og der er ikke flere timer at give af",
            "budgettet er skåret ned, så der er ikke råd",
            "Vi er allerede for få, så man kan ikke gå ned",
            "Lederen siger der ikke er økonomi til at opnormere",
            "Der er sparet så meget at der ikke er plads til ændringer",
            "Vi kan ikke få vikarer, så det er umuligt at gå ned i tid",
        ],
        "Tilbuddets organisering": [
            E("De ansætter til 30 timer, så kan man lægge en ekstra vagt uden det koster", memo=True),
            E("Åbningstidspunktet er fra 9-15", memo=True, areas=PROVIDER, centres=(C_DAG, C_BES)),
            E("Der er pt ikke mulighed for at give opgaver videre til andre", memo=True),
            E("Jeg har fået at vide fra min chef, at det ikke er muligt, da jeg arbejder på en "
              "døgninstitution, og det er for at vi skal passe på os selv, når vi har med de borgere "
              "vi har", memo=True, areas=PROVIDER, centres=(C_AUT, C_BOS)),
            "Vagtplanen er lagt så alle stillinger er på 32 timer",
            E('Min leder siger "sådan er stillingerne skruet sammen", så det kan man ikke ændre',
              must=True),
            "Alle stillinger her er deltidsstillinger",
            "Der er kun dagvagter og de passer ikke til flere timer",
            "Det er bestemt oppefra at alle nye stillinger er på 30 timer",
        ],
        "Ansættelsesforhold": [
            E("Jeg er timelønnet", memo=True),
            E("Jeg er ansat i fleksjob og timetallet er fastsat af kommunen", part=True),
        ],
    },
}
# s_14 answers that carry two categories each (the memo's table 8 counts 64 codes over 62 people).
DUALS = {
    "s_14": [
        (E("Jeg er glad for mit job og kan heller ikke få økonomien til at hænge sammen med "
           "færre timer"),
         ("Tilfredshed", "Økonomi")),
        (E("Trives med fuld tid, og hvis jeg gik ned ville jeg bare have de samme opgaver på "
           "færre timer"),
         ("Tilfredshed", "Opgavebyrde")),
    ],
}
# s_16 from those who find it possible (Ja) or don't know: read, never coded.
S16_FREE_POOLS: dict[str, list[E | str]] = {
    "Ja": [
        "Min leder er meget lydhør over for den slags",
        "Har selv prøvet at gå ned i tid uden problemer",
        "Det kan godt lade sig gøre hvis man spørger i god tid",
        "Jeg fik flere timer sidste år da en kollega stoppede",
        "Vi har en god dialog om arbejdstid i teamet",
        "Det tror jeg godt det er, men det afhænger af vagtplanen",
        "Når der er ledige timer bliver de tilbudt internt først",
        "jeg tror det kan lade sig gøre",
        "Min leder har sagt at vi bare skal komme og spørge",
        "Det har flere af mine kolleger gjort",
        "Det er muligt, men man skal nok vente lidt",
        "Der er fleksibilitet, hvis det passer ind",
        "Har aldrig oplevet at det var et problem",
        "Ja, hvis der er ledige timer",
        "Vores leder er god til at finde løsninger",
        E("=)  min leder har været meget fleksibel", must=True),
        "Det er blevet nemmere efter vi fik ny leder",
        "Jeg gik ned i tid for 2 år siden uden problemer",
        "Man kan altid tage en snak med lederen",
        "Det kan sagtens lade sig gøre",
        "Der bliver jævnligt slået timer op internt",
        "kollega gik op til 37 timer i foråret",
        "Det er muligt, men det kræver at man selv tager initiativ",
        "Det kommer an på om der er nogen der stopper",
        "Vi har en leder der lytter",
        E("skriv gerne til mig på lone.hansen77@mail.example hvis i vil høre mere", must=True,
          sex="Kvinde"),
        "Det er aftalt at man kan søge om det to gange om året",
        "Ja det tror jeg, har dog ikke selv prøvet",
        "Jeg har fået lov at gå op i tid i perioder",
        "det er fint hos os",
        "Lederen er åben for det, så længe vagtplanen kan gå op",
        "Vi snakker om det til MUS",
        "Har hørt at det er muligt",
        "Det var ikke noget problem da jeg bad om det",
        "Jeg har selv valgt mine timer og kan ændre dem",
        "Det kan lade sig gøre men det tager tid",
        "Der er plads til at ændre timer hvis man spørger",
        "Godt samarbejde med ledelsen om den slags",
        "Ja, men man skal være lidt fleksibel med vagterne",
        "Jeg tror godt man kan hvis man er vedholdende",
        "Har fået det bevilget uden problemer",
        "Man kan søge om det og så bliver det vurderet",
        "Jeg mener det er muligt",
        "Det er vist muligt",
        "Kender flere der har fået flere timer",
        "Det er en mulighed ved ledige stillinger",
        "Det er ikke noget jeg har brug for, men jeg tror det kan lade sig gøre",
        "Hos os får man tilbudt timerne når nogen stopper",
        "Jeg har gode erfaringer med at ændre min arbejdstid",
        "Der er opbakning fra ledelsen",
        "Vi har lige haft en runde hvor alle kunne ønske timer",
        "Det er op til en selv, lederen siger altid ja hvis det kan passes ind",
        "Ved ikke hvorfor man skulle tro andet, vi har en fin leder",
        "Jeg har prøvet begge dele, både op og ned",
    ],
    "Ved ikke": [
        "Det er ikke noget vi har talt om på arbejdet",
        "Har aldrig spurgt",
        E("Vil gerne snakke om det, ring på 86 12 34 56", must=True),
        "Det ved jeg faktisk ikke",
        "Ved ikke om det er muligt, det bliver aldrig nævnt",
        "Har ikke undersøgt det",
        "Det er ikke italesat hos os",
        "aner det ikke",
        "Det er uklart hvad reglerne er",
        "Har ikke haft brug for at spørge",
        "Det er forskelligt fra gang til gang hvad man får at vide",
        "ved ikke, er ny",
        "Vi har ikke fået information om det",
        "Tror det kommer an på lederen",
    ],
}
# Answers an analyst cannot code (drawn without repeats within one question).
UNCODABLE_TEXTS = ["ved ikke", "-", "Ved ikke rigtig", "?", "ingen kommentarer", "Det har jeg ikke "
                   "tænkt over", "..", "Kan ikke svare på det", "Det er svært at sige", "intet", "x",
                   "Ved det ikke", "Har ikke noget at tilføje", "se ovenfor"]
# Category preferences beyond the text constraints: who tends to give which reason.
CATEGORY_AFFINITY: dict[tuple[str, str], dict[str, float]] = {
    ("s_14", "Opgavebyrde"): {"Socialrådgiver": 4, "Socialformidler": 3, "Akademisk medarbejder": 2,
                              "Konsulent": 2, "Administrativ medarbejder": 2},
    ("s_13", "Arbejdspres"): {"Socialrådgiver": 3, "Socialformidler": 3},
    ("s_10", "Vagtplan"): {"Socialpædagog": 2, "Pædagog": 2, "Social- og sundhedshjælper": 2,
                           "Social- og sundhedsassistent": 2, "Omsorgsmedhjælper": 2},
    ("s_10", "Fritid, familietid og uddannelse"): {"Pædagogstuderende 2./3. praktikperiode": 5},
}

# Collection: invitations sent 27 July 2022, reminders 10 and 23 August, closed 31 August.
IMPORTED = datetime(2022, 7, 25, 14, 3, 11)
DISTRIBUTED = datetime(2022, 7, 27, 8, 0, 0)
REMINDERS = [datetime(2022, 8, 10, 8, 0, 0), datetime(2022, 8, 23, 8, 0, 0)]
CLOSED = datetime(2022, 8, 31, 23, 59, 59)
FIRST_ID = 318_774_021

# =====================================================================================================
# ALLOCATION
# =====================================================================================================


@dataclass
class Resp:
    """One answering respondent while it is being built."""

    cell: str                      # deltid_ja, deltid_nej, fuldtid_ja, fuldtid_nej or uoplyst
    agreement: str | None
    area: str                      # rv, rest or none (s_5 not answered)
    title: str = ""
    hours: str | None = None
    partial: bool = False
    s8: str | None = None
    s12: str | None = None
    s15: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    codes: dict[str, list[str]] = field(default_factory=dict)
    quotes: dict[str, bool] = field(default_factory=dict)
    sex_tag: str | None = None
    age_tag: tuple[str, ...] | None = None
    centre_tag: tuple[str, ...] | None = None
    sex: str = ""
    age: str = ""
    workplace: str | None = None

    @property
    def part(self) -> bool:
        return self.cell.startswith("deltid")

    @property
    def full(self) -> bool:
        return self.cell.startswith("fuldtid")


def weighted_pick(rng: np.random.Generator, items: list, weights: list[float], k: int) -> list:
    """Draw k distinct items with probability proportional to weight (Gumbel top-k).

    Why Gumbel top-k: it gives exact counts (unlike independent draws) and stays deterministic for
    a seeded generator. Zero weights are never drawn.
    """
    if k == 0:
        return []
    w = np.asarray(weights, dtype=float)
    if (w > 0).sum() < k:
        raise SystemExit(f"allocation failed: need {k} items but only {(w > 0).sum()} are eligible")
    keys = np.full(len(items), -np.inf)
    pos = w > 0
    keys[pos] = np.log(w[pos]) + rng.gumbel(size=int(pos.sum()))
    order = np.argsort(-keys, kind="stable")
    return [items[i] for i in order[:k]]


def build_structure() -> list[Resp]:
    """One Resp per answering respondent with cell, agreement and area from AGREEMENT_AREA."""
    resps: list[Resp] = []
    for cell in CELLS:
        for agreement, counts in AGREEMENT_AREA[cell].items():
            for area, n in zip(AREAS, counts):
                resps.extend(Resp(cell=cell, agreement=agreement, area=area) for _ in range(n))
    resps.extend(Resp(cell="uoplyst", agreement=a, area="rest") for a in NO_HOURS)
    return resps


def assign_titles(rng: np.random.Generator, resps: list[Resp]) -> None:
    """Give each respondent a title from its agreement's list, full-time-prone titles to full-timers."""
    for agreement, titles in TITLES_BY_AGREEMENT.items():
        group = [r for r in resps if r.agreement == agreement]
        bag = [t for t, n in titles.items() for _ in range(n)]
        if len(bag) != len(group):
            raise SystemExit(f"titles for {agreement}: {len(bag)} titles for {len(group)} people")
        # Pinned and extreme titles first, so they still find a fitting respondent.
        bag.sort(key=lambda t: (-((agreement, t) in PINNED_TITLES), -abs(P_FULLTIME.get(t, 0.4) - 0.5)))
        for title in bag:
            free = [r for r in group if not r.title]
            pin = PINNED_TITLES.get((agreement, title))
            p = P_FULLTIME.get(title, 0.4)
            weights = [(1.0 if r.cell == pin else 0.0) if pin else
                       (p if r.full else 0.5 if r.cell == "uoplyst" else 1 - p) + 1e-9 for r in free]
            weighted_pick(rng, free, weights, 1)[0].title = title


def assign_hours(rng: np.random.Generator, resps: list[Resp]) -> None:
    """Current hours: 37 for full-timers; part-timers get the HOURS_BY_WISH bands by title."""
    for r in resps:
        if r.full:
            r.hours = "37 timer"
    for cell, bands in HOURS_BY_WISH.items():
        for band in ["1-9 timer", "10-19 timer", "20-29 timer"]:
            free = [r for r in resps if r.cell == cell and r.hours is None]
            weights = [LOW_HOURS_WEIGHT.get(r.title, 1.0) for r in free]
            for r in weighted_pick(rng, free, weights, bands[band]):
                r.hours = band
        for r in resps:
            if r.cell == cell and r.hours is None:
                r.hours = "30-36 timer"


def assign_partials(rng: np.random.Generator, resps: list[Resp]) -> None:
    """Mark the "Delvist besvaret" respondents; leaders answer to the end (their s_14 is quoted)."""
    for (cell, hours), n in PARTIALS.items():
        group = [r for r in resps if r.cell == cell and r.hours == hours]
        weights = [0.0 if r.title == "Afdelingsleder" else 1.0 for r in group]
        for r in weighted_pick(rng, group, weights, n):
            r.partial = True


def assign_wished_hours(rng: np.random.Generator, resps: list[Resp]) -> None:
    """s_8 for part-timers who want more hours, s_12 for full-timers who want fewer."""
    for current, wished in S8_BY_CURRENT.items():
        group = [r for r in resps if r.cell == "deltid_ja" and r.hours == current]
        order = list(rng.permutation(len(group)))
        bag = [band for band, n in wished.items() for _ in range(n)]
        if len(bag) != len(group):
            raise SystemExit(f"s_8 targets for {current}: {len(bag)} for {len(group)} people")
        for i, band in zip(order, bag):
            group[i].s8 = band
    group = [r for r in resps if r.cell == "fuldtid_ja"]
    bag = [band for band, n in S12_COUNTS.items() for _ in range(n)]
    for i, band in zip(rng.permutation(len(group)), bag):
        group[i].s12 = band


def assign_possibility(rng: np.random.Generator, resps: list[Resp]) -> None:
    """s_15 with exact counts per hours band; those who want a change lean towards "Nej"."""
    for hours, (ja, nej, vi) in S15_BY_HOURS.items():
        group = [r for r in resps if r.hours == hours and not r.partial]
        if len(group) != ja + nej + vi:
            raise SystemExit(f"s_15 targets for {hours}: {ja + nej + vi} for {len(group)} people")
        weights = [2.0 if r.cell == "deltid_ja" else 1.5 if r.cell == "fuldtid_ja" else 1.0
                   for r in group]
        for r in weighted_pick(rng, group, weights, nej):
            r.s15 = "Nej"
        rest = [r for r in group if r.s15 is None]
        for r in weighted_pick(rng, rest, [1.0] * len(rest), vi):
            r.s15 = "Ved ikke"
        for r in group:
            if r.s15 is None:
                r.s15 = "Ja"


def as_entry(item: E | str) -> E:
    return item if isinstance(item, E) else E(item)


def fits(entry: E, r: Resp) -> bool:
    """Could this respondent have written this answer, given what is already known about them?"""
    if entry.hours and r.hours not in entry.hours:
        return False
    if entry.titles and r.title not in entry.titles:
        return False
    if entry.part and not r.part:
        return False
    if entry.areas and r.area not in entry.areas:
        return False
    if entry.sex and r.sex_tag and entry.sex != r.sex_tag:
        return False
    return True


def typed(rng: np.random.Generator, entry: E) -> str:
    """The answer as typed: sometimes no capital letter, often no full stop (not memo/hazard texts)."""
    text = entry.text
    if entry.memo or entry.must:
        return text
    if text[0].isupper() and rng.random() < 0.2:
        text = text[0].lower() + text[1:]
    if text.endswith(".") and not text.endswith("..") and rng.random() < 0.5:
        text = text[:-1]
    return text


def give_text(rng: np.random.Generator, r: Resp, var: str, entry: E, cats: tuple[str, ...]) -> None:
    r.texts[var] = typed(rng, entry)
    if cats:
        r.codes[var] = list(cats)
        r.quotes[var] = entry.memo
    r.sex_tag = r.sex_tag or entry.sex
    r.age_tag = r.age_tag or entry.age
    r.centre_tag = r.centre_tag or entry.centres


def routed(resps: list[Resp], var: str) -> list[Resp]:
    """Respondents who were shown the open question and reached it (not partial)."""
    rule = {"s_9": lambda r: r.cell == "deltid_ja", "s_10": lambda r: r.cell == "deltid_nej",
            "s_13": lambda r: r.cell == "fuldtid_ja", "s_14": lambda r: r.cell == "fuldtid_nej",
            "s_16": lambda r: r.s15 == "Nej"}[var]
    return [r for r in resps if rule(r) and not r.partial]


def assign_open_answers(rng: np.random.Generator, resps: list[Resp]) -> None:
    """Coded answers per CODE_TARGETS, then uncodable and empty ones, then s_16 for Ja/Ved ikke."""
    for var, targets in CODE_TARGETS.items():
        duals = DUALS.get(var, [])
        items: list[tuple[E, tuple[str, ...]]] = list(duals)
        for cat, target in targets.items():
            need = target - sum(cat in cats for _, cats in duals)
            pool = [as_entry(x) for x in POOLS[var][cat]]
            fixed = [e for e in pool if e.memo or e.must]
            others = [e for e in pool if not (e.memo or e.must)]
            if len(fixed) > need or len(pool) < need:
                raise SystemExit(f"pool {var}/{cat}: {len(pool)} answers for {need} respondents")
            idx = sorted(rng.choice(len(others), size=need - len(fixed), replace=False))
            items.extend((e, (cat,)) for e in fixed + [others[i] for i in idx])
        free = routed(resps, var)

        def weight(r: Resp, cats: tuple[str, ...]) -> float:
            w = 1.0
            for cat in cats:
                w *= CATEGORY_AFFINITY.get((var, cat), {}).get(r.title, 1.0)
            return w

        # The answers that only some respondents can have written are placed first, scarcest first.
        constrained = [it for it in items if it[0].hours or it[0].titles or it[0].part
                       or it[0].areas]
        constrained.sort(key=lambda it: sum(fits(it[0], r) for r in free))
        loose = [it for it in items if it not in constrained]
        loose = [loose[i] for i in rng.permutation(len(loose))]
        for entry, cats in constrained + loose:
            cand = [r for r in free if fits(entry, r)]
            if not cand:
                raise SystemExit(f"no respondent can have written {var} {entry.text!r}")
            r = weighted_pick(rng, cand, [weight(r, cats) for r in cand], 1)[0]
            give_text(rng, r, var, entry, cats)
            free.remove(r)
        picks = rng.choice(len(UNCODABLE_TEXTS), size=UNCODABLE[var], replace=False)
        for r, k in zip(weighted_pick(rng, free, [1.0] * len(free), UNCODABLE[var]), picks):
            r.texts[var] = UNCODABLE_TEXTS[int(k)]
    for answer, n in S16_FREE.items():
        free = [r for r in resps if r.s15 == answer and not r.partial]
        pool = [as_entry(x) for x in S16_FREE_POOLS[answer]]
        fixed = [e for e in pool if e.must]
        others = [e for e in pool if not e.must]
        idx = sorted(rng.choice(len(others), size=n - len(fixed), replace=False))
        for entry in fixed + [others[i] for i in idx]:
            cand = [r for r in free if fits(entry, r)]
            r = weighted_pick(rng, cand, [1.0] * len(cand), 1)[0]
            give_text(rng, r, "s_16", entry, ())
            free.remove(r)


def all_categories(r: Resp) -> list[str]:
    return [cat for cats in r.codes.values() for cat in cats]


def assign_demographics(rng: np.random.Generator, resps: list[Resp]) -> None:
    """Sex (exactly WOMEN women) and age group, honouring what the open answers give away."""
    keys = []
    for r in resps:
        if r.sex_tag:
            keys.append(np.inf if r.sex_tag == "Kvinde" else -np.inf)
        else:
            p = P_WOMAN.get(r.title, 0.7)
            keys.append(np.log(p / (1 - p)) + rng.logistic())
    order = np.argsort(-np.asarray(keys), kind="stable")
    for rank, i in enumerate(order):
        resps[i].sex = "Kvinde" if rank < WOMEN else "Mand"
    # The small "Under 19 år" group: young helpers on few hours whose answers say nothing about age.
    eligible = [r for r in resps if r.title in UNDER_19_TITLES and r.part and not r.age_tag
                and not r.codes and r.hours in H_UNDER_30]
    for r in weighted_pick(rng, eligible, [1.0] * len(eligible), UNDER_19):
        r.age = ALDER[0]
    for r in resps:
        if r.age:
            continue
        w = np.array(AGE_WEIGHTS_TITLE.get(r.title, AGE_WEIGHTS_DEFAULT), dtype=float)
        for cat in all_categories(r):
            w = w * np.array(AGE_BY_CATEGORY.get(cat, [1] * 6))
        if r.age_tag:
            w = w * np.array([1.0 if a in r.age_tag else 0.0 for a in ALDER])
            if w.sum() == 0:  # e.g. a student title with an "older" text: the text wins
                w = np.array([1.0 if a in r.age_tag else 0.0 for a in ALDER])
        r.age = ALDER[int(rng.choice(6, p=w / w.sum()))]


def assign_workplaces(rng: np.random.Generator, resps: list[Resp]) -> None:
    """Workplace from area, agreement/title and text; every used workplace gets a respondent."""
    rv = [w for w, c in WORKPLACES if c == C_RV]
    used = {c: [w for w, cc in WORKPLACES if cc == c and w not in UNUSED_WORKPLACES]
            for c in [C_AUT, C_BOS, C_DAG, C_BES, C_HJE]}
    # Workplaces differ in size; draw a fixed size weight for each.
    size = {w: float(rng.gamma(2.0, 1.0)) + 0.3 for ws in used.values() for w in ws}
    group = [r for r in resps if r.area == "rv"]
    for r, i in zip(group, rng.permutation(len(group))):
        r.workplace = rv[i % len(rv)]  # a permutation over 15 people covers all three teams
    rest = [r for r in resps if r.area == "rest"]

    def centre_weights(r: Resp) -> dict[str, float]:
        cw = TITLE_CENTRE_WEIGHTS.get(r.title, CENTRE_WEIGHTS[r.agreement])
        if r.centre_tag:
            cw = {c: cw.get(c, 0.2) for c in r.centre_tag}
        return cw

    for r in rest:
        cw = centre_weights(r)
        cands = [w for c, wt in cw.items() for w in used[c]]
        weights = [cw[c] * size[w] / sum(size[x] for x in used[c]) for c in cw for w in used[c]]
        r.workplace = weighted_pick(rng, cands, weights, 1)[0]
    # Fill any used workplace left empty from the biggest workplace that can spare someone who
    # plausibly works there (same centre preferred).
    centre_of = dict(WORKPLACES)
    for w in [w for ws in used.values() for w in ws]:
        if any(r.workplace == w for r in rest):
            continue
        counts = Counter(r.workplace for r in rest)
        donors = [r for r in rest if counts[r.workplace] >= 2 and not r.centre_tag]
        weights = [centre_weights(r).get(centre_of[w], 0.0) * counts[r.workplace] ** 2
                   for r in donors]
        if sum(weights) == 0:
            weights = [1.0] * len(donors)
        weighted_pick(rng, donors, weights, 1)[0].workplace = w


# =====================================================================================================
# THE EXPORT: 1,172 rows, status columns and timestamps
# =====================================================================================================


def fmt(ts: datetime | None) -> str:
    return ts.strftime(DATE_FORMAT) if ts else ""


def answer_day(rng: np.random.Generator) -> datetime:
    """A day in the collection period: a burst after the invitation and after each reminder."""
    n_days = (CLOSED.date() - DISTRIBUTED.date()).days + 1
    days = [DISTRIBUTED.date() + timedelta(d) for d in range(n_days)]
    weights = []
    for d in days:
        since = min((d - t.date()).days for t in [DISTRIBUTED] + REMINDERS if d >= t.date())
        w = 40 * 0.55 ** since + 1.5
        if any(d == t.date() for t in REMINDERS):
            w += 10
        if d.weekday() >= 5:
            w *= 0.35
        weights.append(w)
    w = np.array(weights)
    d = days[int(rng.choice(len(days), p=w / w.sum()))]
    hour = int(rng.choice(np.arange(6, 23), p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum()))
    start = datetime(d.year, d.month, d.day, hour, int(rng.integers(60)), int(rng.integers(60)))
    return max(start, DISTRIBUTED + timedelta(minutes=3))


_HOUR_WEIGHTS = np.array([1, 3, 5, 6, 6, 5, 6, 6, 5, 5, 4, 4, 5, 6, 6, 4, 2], dtype=float)


def code_of(var: str, label: str | None) -> str:
    return "" if label is None else str(OPTIONS[var].index(label) + 1)


def answers(r: Resp) -> dict[str, str]:
    """The s_1..s_16 cells of one answering respondent, with the questionnaire's routing."""
    out = {var: "" for var, _, _ in QUESTIONS}
    out["s_1"] = code_of("s_1", r.sex)
    out["s_2"] = code_of("s_2", r.age)
    out["s_3"] = code_of("s_3", r.title)
    out["s_4"] = code_of("s_4", r.agreement)
    out["s_5"] = code_of("s_5", r.workplace)
    out["s_6"] = code_of("s_6", r.hours)
    if r.part:
        out["s_7"] = code_of("s_7", "Ja" if r.cell == "deltid_ja" else "Nej")
        out["s_8"] = code_of("s_8", r.s8)
    if r.full:
        out["s_11"] = code_of("s_11", "Ja" if r.cell == "fuldtid_ja" else "Nej")
        out["s_12"] = code_of("s_12", r.s12)
    out["s_15"] = code_of("s_15", r.s15)
    for var, text in r.texts.items():
        out[var] = text
    return out


def build_dataset(rng: np.random.Generator,
                  resps: list[Resp]) -> tuple[list[dict[str, str]], dict[str, Resp]]:
    """All distributed rows in respondentid order, answered ones scattered among them.

    Returns the rows and, for the coding file, the answering respondents by respondentid.
    """
    n = N_DISTRIBUTED
    ids = FIRST_ID + np.cumsum(rng.integers(1, 48, size=n))
    emails = [f"medarbejder{k:04d}@mail.example" for k in rng.permutation(np.arange(1, n + 1))]
    slots = rng.permutation(n)
    answered_at = {int(s): resps[i] for i, s in enumerate(slots[:len(resps)])}
    withdrawn = {int(s) for s in slots[len(resps):len(resps) + N_WITHDRAWN]}
    bounced = {int(s) for s in slots[len(resps) + N_WITHDRAWN:len(resps) + N_WITHDRAWN + 9]}
    rows = []
    by_id: dict[str, Resp] = {}
    for i in range(n):
        row = {c: "" for c in DATASET_COLUMNS}
        row.update({c: "0" for c in STATUS_COLUMNS})
        row["respondentid"] = str(int(ids[i]))
        row["statinternal_1"] = "1"   # the survey's language id; the other 19 are unused
        row["created"] = fmt(IMPORTED + timedelta(seconds=i // 37))
        row["importgroup"] = "1"
        row["email"] = emails[i]
        row["digitaldistributionstatus"] = "Sendt"
        row["numberofreturnedmail"] = "0"
        row["statdistribution_2"] = "1"   # distributed by e-mail (and e-Boks)
        sent = DISTRIBUTED + timedelta(seconds=i // 12)
        if i in bounced:
            row["numberofreturnedmail"] = "1"
            row["digitaldistributionstatus"] = "Fejlet"
            row["digitaldistributionerrormessage"] = "550 5.1.1 Mailbox unavailable"
        r = answered_at.get(i)
        if r is None:
            row["responsecollectsessions"] = "0"
            row["statcompletion_1"] = "1"
            if i in withdrawn:
                row["statoverall_5"] = "1"
                row["modified"] = fmt(answer_day(rng))
            else:
                row["statoverall_2"] = "1"
                row["modified"] = fmt(REMINDERS[-1] + timedelta(seconds=i // 12))
            rows.append(row)
            continue
        row.update(answers(r))
        by_id[row["respondentid"]] = r
        start = answer_day(rng)
        seconds = int(np.clip(rng.lognormal(np.log(330), 0.55), 70, 3000))
        if r.partial:
            row["starttime"] = fmt(start)
            row["modified"] = fmt(start + timedelta(seconds=seconds // 3))
            row["responsecollectsessions"] = "1"
            row["statcompletion_2"] = "1"
            row["statoverall_3"] = "1"
        else:
            sessions = 2 if rng.random() < 0.08 else 1
            if sessions == 2:  # came back later to finish: closes hours or a day later
                seconds += int(rng.integers(3600, 30 * 3600))
            close = min(start + timedelta(seconds=seconds), CLOSED)
            row["starttime"] = fmt(start)
            row["closetime"] = fmt(close)
            row["modified"] = fmt(close)
            row["difftime"] = str(int((close - start).total_seconds()))
            row["responsecollectsessions"] = str(sessions)
            row["statcompletion_3"] = "1"
            row["statoverall_4"] = "1"
        rows.append(row)
    return rows, by_id


def coding_rows(resps_by_id: dict[str, Resp]) -> list[list[str]]:
    """coding.csv: one row per code; citat = 1 for the first one or two memo quotes per category."""
    rows = []
    quoted: Counter = Counter()
    for rid, r in resps_by_id.items():
        for var in OPEN_VARS:
            for cat in r.codes.get(var, []):
                quote = r.quotes.get(var, False) and len(r.codes[var]) == 1 and quoted[(var, cat)] < 2
                if quote:
                    quoted[(var, cat)] += 1
                rows.append([rid, var, cat, "1" if quote else ""])
    return rows


# =====================================================================================================
# WRITING
# =====================================================================================================


def write_csv(path: Path, rows: list[list[str]], encoding: str, line_end: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator=line_end, quoting=csv.QUOTE_MINIMAL)
        writer.writerows(rows)


def structure_rows() -> list[list[str]]:
    # SurveyXact ends every Structure line, the header included, with one extra empty column.
    rows = [["questionName", "variableName", "questionType", "subType", "questionText",
             "choiceValue", "choiceText", ""]]
    for var, text, opts in QUESTIONS:
        if opts is None:
            rows.append([var, var, "Open", "String", text, "", "", ""])
        else:
            rows.extend([var, var, "Closed", "Single", text, str(i), label, ""]
                        for i, label in enumerate(opts, start=1))
    return rows


def label_rows() -> list[list[str]]:
    return [[var, str(i), label] for var, _, opts in QUESTIONS if opts
            for i, label in enumerate(opts, start=1)]


def generate(out_dir: Path) -> dict[str, int]:
    """Build the synthetic wave, write every file into out_dir and self-check the written files.

    Returns a few headline numbers; raises AssertionError listing every failed check.
    """
    rng = np.random.default_rng(SEED)
    resps = build_structure()
    assign_titles(rng, resps)
    assign_hours(rng, resps)
    assign_partials(rng, resps)
    assign_wished_hours(rng, resps)
    assign_possibility(rng, resps)
    assign_open_answers(rng, resps)
    assign_demographics(rng, resps)
    assign_workplaces(rng, resps)
    dataset, by_id = build_dataset(rng, resps)

    export = out_dir / "export"
    write_csv(export / "dataset.csv", [DATASET_COLUMNS] + [[row[c] for c in DATASET_COLUMNS]
                                                           for row in dataset], "cp1252", "\r\n")
    write_csv(export / "structure.csv", structure_rows(), "cp1252", "\r\n")
    write_csv(export / "labels.csv", label_rows(), "cp1252", "\r\n")
    write_csv(out_dir / "coding.csv", [["respondentid", "variabel", "kategori", "citat"]]
              + coding_rows(by_id), "utf-8", "\n")
    (out_dir / "population.csv").write_bytes(POPULATION_CSV.encode("utf-8"))
    return self_check(out_dir)


# =====================================================================================================
# SELF-CHECK: re-read the files with plain pandas and assert every published count and fact
# =====================================================================================================


def pct(n: int, d: int) -> int:
    """Whole percent rounded half up, in integer arithmetic (no float surprises at .5)."""
    return (200 * n + d) // (2 * d)


def self_check(out_dir: Path) -> dict[str, int]:
    """Assert the memo's counts and facts on the written files; raise AssertionError on any miss."""
    fails: list[str] = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            fails.append(what)

    def same(got: object, want: object, what: str) -> None:
        check(got == want, f"{what}: got {got!r}, want {want!r}")

    export = out_dir / "export"
    read = dict(sep=";", dtype=str, keep_default_na=False)
    for name in ["dataset", "structure", "labels"]:
        raw = (export / f"{name}.csv").read_bytes()
        raw.decode("cp1252")  # raises on anything that is not cp1252
        bare_lf = raw.count(b"\n") - raw.count(b"\r\n")
        embedded = 1 if name == "dataset" else 0  # the one open answer typed over two lines
        check(raw.endswith(b"\r\n") and bare_lf == embedded, f"{name}.csv lines must end in CRLF")
        check(not raw.startswith(b"\xef\xbb\xbf"), f"{name}.csv must have no byte-order mark")
    ds = pd.read_csv(export / "dataset.csv", encoding="cp1252", **read)
    st = pd.read_csv(export / "structure.csv", encoding="cp1252", **read)
    lb = pd.read_csv(export / "labels.csv", encoding="cp1252", header=None,
                     names=["var", "value", "label"], **read)
    same(list(ds.columns), DATASET_COLUMNS, "dataset columns")
    same(list(st.columns[:7]), ["questionName", "variableName", "questionType", "subType",
                                "questionText", "choiceValue", "choiceText"], "structure header")
    check(st.shape[1] == 8 and (st.iloc[:, 7] == "").all(), "structure: one extra empty column")
    texts = dict(zip(st["variableName"], st["questionText"]))
    same(texts, {var: text for var, text, _ in QUESTIONS}, "structure question texts")
    labels = {(v, c): lab for v, c, lab in lb.itertuples(index=False)}
    same(len(labels), sum(len(o) for o in OPTIONS.values()), "labels rows")

    # --- rows and status ---
    same(len(ds), PUBLISHED["distributed"], "rows (distributed)")
    check(ds["respondentid"].is_unique, "respondentid unique")
    ids = ds["respondentid"].astype(int)
    check(ids.is_monotonic_increasing and ids.min() > 10_000_000,
          "respondentid: increasing, 8-9 digits")
    status = ds[[f"statoverall_{i}" for i in range(1, 6)]].astype(int)
    check((status.sum(axis=1) == 1).all(), "exactly one statoverall per row")
    answered = (ds["statoverall_3"] == "1") | (ds["statoverall_4"] == "1")
    same(int(answered.sum()), PUBLISHED["answered"], "answered")
    same(pct(int(answered.sum()), len(ds)), 28, "response rate %")
    partial = int((ds["statoverall_3"] == "1").sum())
    check(10 <= partial <= 20, f"partially answered {partial} should be 10-20")
    check(1 <= int((ds["statoverall_5"] == "1").sum()) <= 12, "a handful frafaldet")
    qvars = [v for v, _, _ in QUESTIONS]
    check((ds.loc[~answered, qvars] == "").all().all(), "non-answered rows have no answers")
    check(ds["email"].str.fullmatch(r"medarbejder\d{4}@mail\.example").all(), "fake e-mails")
    a = ds[answered].reset_index(drop=True)
    closes = pd.to_datetime(a["closetime"][a["closetime"] != ""], format=DATE_FORMAT)
    starts = pd.to_datetime(a["starttime"], format=DATE_FORMAT)
    check(closes.min() >= pd.Timestamp("2022-07-27") and closes.max() <= pd.Timestamp("2022-09-01"),
          "closetime of answered rows between 27-07-2022 and 31-08-2022")
    check((starts >= pd.Timestamp("2022-07-27")).all(), "starttime not before the invitation")

    lab = {v: a[v].map(lambda c, v=v: labels.get((v, c), "") if c else "") for v in OPTIONS}
    for v in OPTIONS:
        check(((a[v] == "") | (lab[v] != "")).all(), f"{v}: every code has a label")
    hours = lab["s_6"]
    part = hours.isin(PART_HOURS)
    full = hours == "37 timer"
    same(int(full.sum()), PUBLISHED["fulltime"], "full-time respondents")
    same(int(part.sum()), PUBLISHED["parttime"], "part-time respondents")
    same(int((hours == "").sum()), PUBLISHED["no_hours"], "respondents without hours")
    same(pct(int(full.sum()), len(a)), 35, "full-time share %")
    same(pct(int(hours.isin(H_UNDER_30).sum()), len(a)), 18, "share under 30 hours %")

    # --- routing ---
    has = {v: a[v] != "" for v in qvars}
    same(bool((has["s_7"] == part).all()), True, "s_7 answered by exactly the part-timers")
    same(bool((has["s_11"] == full).all()), True, "s_11 answered by exactly the full-timers")
    same(bool((has["s_8"] == (lab["s_7"] == "Ja")).all()), True, "s_8 exactly when s_7 = Ja")
    same(bool((has["s_12"] == (lab["s_11"] == "Ja")).all()), True, "s_12 exactly when s_11 = Ja")
    for v, cond in [("s_9", lab["s_7"] == "Ja"), ("s_10", lab["s_7"] == "Nej"),
                    ("s_13", lab["s_11"] == "Ja"), ("s_14", lab["s_11"] == "Nej")]:
        check(not (has[v] & ~cond).any(), f"{v} only where routed")
    is_partial = a["statoverall_3"] == "1"
    check(not (has["s_15"] & is_partial).any() and not (has["s_16"] & is_partial).any(),
          "partial respondents stopped before s_15")
    check(not any((has[v] & is_partial).any() for v in OPEN_VARS), "partials wrote no open text")

    # --- tables 1, 2, 5, 6 ---
    same(lab["s_7"][part].value_counts().to_dict(), PUBLISHED["t1"], "table 1")
    t2 = lab["s_8"][lab["s_7"] == "Ja"].value_counts().to_dict()
    same(t2, {k: v for k, v in PUBLISHED["t2"].items() if v}, "table 2")
    same(lab["s_11"][full].value_counts().to_dict(), PUBLISHED["t5"], "table 5")
    t6 = lab["s_12"][lab["s_11"] == "Ja"].value_counts().to_dict()
    same(t6, {k: v for k, v in PUBLISHED["t6"].items() if v}, "table 6")

    # --- table 10 and tables 11-14 ---
    agreement = lab["s_4"].replace("", "Har ikke svaret")
    same(agreement.value_counts().to_dict(), PUBLISHED["t10"], "table 10")
    rv_names = {w for w, c in WORKPLACES if c == C_RV}
    area = lab["s_5"].map(lambda w: "Tilbud ikke angivet" if not w else
                          "Rådgivning og Visitation" if w in rv_names else "Resterende tilbud")
    for num, mask, wish in [("t11", part, lab["s_7"]), ("t12", full, lab["s_11"])]:
        got = {k: (int(((area == k) & mask & (wish == "Ja")).sum()),
                   int(((area == k) & mask & (wish == "Nej")).sum())) for k in PUBLISHED[num]}
        same(got, PUBLISHED[num], f"table {num[1:]}")
    agr = lab["s_4"].replace("", "Overenskomst ikke angivet")
    for num, mask, wish in [("t13", part, lab["s_7"]), ("t14", full, lab["s_11"])]:
        got = {k: (int(((agr == k) & mask & (wish == "Ja")).sum()),
                   int(((agr == k) & mask & (wish == "Nej")).sum())) for k in PUBLISHED[num]}
        same(got, PUBLISHED[num], f"table {num[1:]}")
    no_hours_agr = sorted(lab["s_4"][hours == ""])
    same(no_hours_agr, sorted(NO_HOURS), "agreements of the two without hours")
    check(all(labels[("s_5", str(c))].startswith("Rådgivning og Visitation") for c in (1, 2, 3)),
          "workplaces 1-3 are Rådgivning og Visitation")

    # --- figures 1-3 ---
    fig1 = {h: pct(int(((hours == h) & (lab["s_7"] == "Ja")).sum()), int((hours == h).sum()))
            for h in PART_HOURS}
    same((fig1["1-9 timer"], fig1["10-19 timer"]), (37, 17), "figure 1: 1-9 and 10-19 timer")
    check(all(17 < fig1[h] < 37 and abs(fig1[h] - 30) <= 5 for h in ["20-29 timer", "30-36 timer"]),
          f"figure 1: other groups near 30%: {fig1}")
    s15 = lab["s_15"][has["s_15"]]
    same({k: pct(n, len(s15)) for k, n in s15.value_counts().items()},
         {"Ja": 60, "Nej": 33, "Ved ikke": 7}, "figure 2 (s_15 %)")
    nej_share = {h: ((lab["s_15"] == "Nej") & (hours == h)).sum() / ((hours == h) & has["s_15"]).sum()
                 for h in HOURS}
    same(max(nej_share, key=nej_share.get), "10-19 timer", "figure 3: largest Nej share")

    # --- who answered ---
    same(pct(int((lab["s_1"] == "Kvinde").sum()), int(has["s_1"].sum())), 71, "women %")
    ages = lab["s_2"].value_counts()
    check(1 <= ages.get("Under 19 år", 0) <= 5, "a small Under 19 år group")
    check(all(ages.get(g, 0) >= 30 for g in ALDER[1:]), f"every other age group well represented: "
          f"{ages.to_dict()}")
    titles = lab["s_3"].value_counts()
    same({t: int(titles.get(t, 0)) for t in PUBLISHED["top_titles"]}, PUBLISHED["top_titles"],
         "largest job titles")
    same(set(titles.index[:4]), set(PUBLISHED["top_titles"]), "the four largest titles")
    same(sorted(set(TITLES) - set(titles.index)), sorted(PUBLISHED["no_titles"]), "titles with nobody")
    same(len(OPTIONS["s_3"]), 33, "job titles listed")
    same(int(a.loc[has["s_5"], "s_5"].nunique()), PUBLISHED["workplaces_used"], "workplaces used")
    same(len(OPTIONS["s_5"]), 77, "workplaces listed")

    # --- coding: tables 3, 4, 7, 8, 9 ---
    cd = pd.read_csv(out_dir / "coding.csv", encoding="utf-8", **read)
    same(list(cd.columns), ["respondentid", "variabel", "kategori", "citat"], "coding columns")
    check(not cd.duplicated(["respondentid", "variabel", "kategori"]).any(), "no duplicate codes")
    text_of = a.set_index("respondentid")
    check(cd["respondentid"].isin(text_of.index).all(), "coded respondents answered")
    for num, var in [("t3", "s_9"), ("t4", "s_10"), ("t7", "s_13"), ("t8", "s_14"), ("t9", "s_16")]:
        rows = cd[cd["variabel"] == var]
        want = dict(PUBLISHED[num])
        same(int(rows["respondentid"].nunique()), want.pop("base"), f"table {num[1:]} base")
        same(rows["kategori"].value_counts().to_dict(), want, f"table {num[1:]} counts")
        check((text_of.loc[rows["respondentid"], var].str.strip() != "").all(),
              f"{var}: every coded respondent wrote an answer")
        for cat in want:
            n_quotes = int(((rows["kategori"] == cat) & (rows["citat"] == "1")).sum())
            check(1 <= n_quotes <= 2, f"{var}/{cat}: one or two quotes marked, not {n_quotes}")
    s16_coded = cd.loc[cd["variabel"] == "s_16", "respondentid"]
    check((text_of.loc[s16_coded, "s_15"].map(lambda c: labels[("s_15", c)]) == "Nej").all(),
          "s_16 coded only for s_15 = Nej")
    for var, pools in POOLS.items():
        for cat, pool in pools.items():
            for e in map(as_entry, pool):
                if e.memo:
                    hit = text_of.index[text_of[var] == e.text]
                    check(len(hit) == 1 and ((cd["respondentid"] == hit[0]) & (cd["variabel"] == var)
                                             & (cd["kategori"] == cat)).any() if len(hit) else False,
                          f"memo quote in {var}/{cat}: {e.text!r}")

    # --- hazards in the open answers ---
    open_text = pd.concat([a[v] for v in OPEN_VARS])
    for what, pattern in [("e-mail", r"[\w.+-]+@[\w-]+\.[\w.]+"),
                          ("phone", r"\b\d{2} \d{2} \d{2} \d{2}\b"), ("CPR", r"\b\d{6}-\d{4}\b"),
                          ("leading = + -", r"^[=+-]"), ("markup", r"<[a-z]+>"),
                          ("line break", r"\n"), ("semicolon", r";"), ('double quote', r'"')]:
        check(open_text.str.contains(pattern, regex=True).any(), f"hazard present: {what}")
    check(int((a["s_16"] != "").sum()) >= 80, "s_16 answered by many")

    # --- population ---
    same((out_dir / "population.csv").read_text(encoding="utf-8"), POPULATION_CSV, "population.csv")
    pop = pd.read_csv(out_dir / "population.csv", **read)
    totals = pop.groupby("variabel")["antal"].apply(lambda s: s.astype(int).sum()).to_dict()
    same(totals, {"koen": 1172, "timetal": 1172}, "population totals")
    n_of = {(v, k): int(n)
            for v, k, n in pop[["variabel", "kategori", "antal"]].itertuples(index=False)}
    same((pct(n_of[("koen", "Kvinde")], 1172), pct(n_of[("timetal", "37 timer")], 1172),
          pct(n_of[("timetal", "Under 30 timer")], 1172)), (71, 26, 41), "population shares %")

    if fails:
        raise AssertionError("self-check failed:\n  " + "\n  ".join(fails))
    return {"rows": len(ds), "answered": int(answered.sum()), "partial": partial,
            "codes": len(cd), "open_answers": int((open_text != "").sum())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path,
                        default=Path(__file__).resolve().parent / "vjh_2022",
                        help="where to write export/, coding.csv and population.csv")
    args = parser.parse_args(argv)
    try:
        summary = generate(args.out_dir)
    except AssertionError as exc:
        print(f"SELF-CHECK FAILED for {args.out_dir}:\n{exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out_dir}: " + ", ".join(f"{k} {v}" for k, v in summary.items())
          + "; self-check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
