"""People: the staff directory, and each child's family and the professionals around them."""

from __future__ import annotations

import datetime as _dt
import random
import re
from dataclasses import dataclass

from commands.demo.days import _age

# --- people -------------------------------------------------------------------------------

TEAMS = ("Assessment", "Child in Need", "Child Protection", "Children in Care", "Care Leavers",
         "Early Help")

_STAFF_NAMES = [
    "Adaeze Okafor", "Tom Brennan", "Fatima Begum", "Marek Kowalski", "Chloe Henderson",
    "Yusuf Demir", "Shanice Campbell", "Rajinder Sandhu", "Eleni Georgiou", "Ciaran Doyle",
    "Hannah Goldberg", "Kwame Asante", "Priyanka Shah", "Daniel Okoro", "Laura McAllister",
    "Imran Hussain", "Bethany Clarke", "Gareth Evans", "Aisha Mohamed", "Nadia Rahman",
    "Oliver Whitfield", "Grace Mensah", "Stelios Christou", "Joanne Price", "Mehmet Yilmaz",
    "Rebecca Ashworth", "Femi Adebayo", "Katarzyna Wisniewska", "Sean Gallagher", "Amira Haddad",
    "Lucy Fairbairn", "Tariq Mahmood", "Ruth Abernethy", "Deborah Okonjo", "Hollie Simmons",
    "Marcus Grant", "Zainab Ali", "Niamh Keane", "Jasmine Patel", "Ewan Fraser", "Precious Moyo",
    "Andreea Popescu", "Leon Richards", "Samira Osman", "Catherine Lloyd", "Jonathan Webb",
    "Funmi Olatunji", "Harpreet Gill", "Moira Duncan", "Kemal Aydin", "Victoria Hale",
    "Abdi Warsame", "Natalie Brooks", "Ifeoma Nwosu", "Gemma Rowlands", "Chidi Eze",
    "Anjali Mistry", "Siobhan O'Connor", "Dev Chauhan", "Rosa Fernandes",
]
_TITLED = [
    "Mrs Karen Whitfield", "Mr Paul Ogunleye", "Ms Sarah Lindqvist", "Mrs Nasreen Akhtar",
    "Mr David Cheung", "Ms Joanne Pike", "Mrs Helen Marsh", "Mr Tunde Bakare", "Ms Claire Dobson",
    "Mrs Angela Costa", "Mr Simon Hale", "Ms Rachel Birch", "Mrs Dolores Grant", "Ms Leah Morgan",
    "Mr Jon Pearce", "Ms Ruth Ibekwe", "Ms Amanda Price", "Mrs Sunita Rao", "Mr Gary Holt",
    "Ms Beverley Quinn", "Mrs Yvonne Achterberg", "Mr Kieran Walsh", "Ms Ngozi Eze",
    "Mrs Theresa Flynn",
]
_POLICE = ["DC Sarah Hollis", "PC Dan Matthews", "DC Raj Bhatt", "PC Emma Stokes", "DS Lee Fenwick"]
_GPS = ["Carlton House Surgery", "Bounces Road Medical Centre", "Green Lanes Health Centre",
        "Ridge Avenue Surgery", "Moorfield Road Practice"]
_GP_DOCTORS = ["Dr Sandhu", "Dr Okoye", "Dr Hartley", "Dr Meyer", "Dr Qureshi"]
_PRIMARY = ["Brookfield Primary School", "St Mary's Catholic Primary School",
            "Hazelwood Lane Primary School", "Northfield Primary School", "Wilbury Way Primary School",
            "Churchfield Primary School"]
_SECONDARY = ["Oakwood Park Academy", "Ridgeway Community School", "St Columba's Catholic High School",
              "Meadowside Academy"]
_NURSERY = ["Little Acorns Nursery", "Rainbow Children's Centre Nursery"]
_COLLEGE = ["Northgate College", "Lee Valley Sixth Form College"]
_AREAS = ["Edmonton", "Ponders End", "Bush Hill Park", "Palmers Green", "Enfield Lock", "Southgate"]
_FOSTER = ["Joy and Michael Adeyemi", "Carol Bennett", "Sue and Tony Harding", "Farida Choudhury",
           "Linda and Errol Francis", "Agnieszka and Mark Lewis"]

#: background -> boys, girls, women, men, surnames, the family's first language (None: English).
_BACKGROUNDS: dict[str, tuple[list[str], list[str], list[str], list[str], list[str], str | None]] = {
    "white_british": (
        ["Harry", "Alfie", "Mason", "Riley", "Jayden", "Tyler", "Charlie", "Leo", "Archie", "Kai"],
        ["Lily", "Ava", "Poppy", "Freya", "Ruby", "Isla", "Mia", "Evie", "Skye", "Amber"],
        ["Kayleigh", "Stacey", "Gemma", "Danielle", "Leanne", "Jade", "Samantha", "Kerry", "Chelsea",
         "Rebecca", "Lauren", "Nicola", "Tracey", "Hayley"],
        ["Craig", "Lee", "Dean", "Ryan", "Wayne", "Darren", "Shaun", "Jamie", "Liam", "Gavin", "Scott",
         "Carl"],
        ["Hughes", "Morris", "Turner", "Wright", "Cooper", "Bailey", "Harris", "Fletcher", "Dunn",
         "Parsons", "Murphy", "Byrne"], None),
    "polish": (
        ["Jakub", "Szymon", "Kacper", "Filip", "Antoni"], ["Zofia", "Julia", "Maja", "Lena", "Hanna"],
        ["Agnieszka", "Magdalena", "Ewa", "Joanna", "Monika"], ["Tomasz", "Piotr", "Marcin", "Pawel"],
        ["Nowak", "Wojcik", "Kowalczyk", "Mazur", "Krawczyk", "Dudek"], "Polish"),
    "romanian": (
        ["Andrei", "Luca", "Darius", "Stefan", "Matei"], ["Maria", "Ioana", "Elena", "Bianca", "Sofia"],
        ["Florentina", "Mihaela", "Alina", "Ramona", "Daniela"], ["Ionut", "Marian", "Florin", "Adrian"],
        ["Popa", "Ionescu", "Stan", "Dumitru", "Lazar", "Munteanu"], "Romanian"),
    "somali": (
        ["Abdirahman", "Mohamed", "Yusuf", "Hamza", "Abdullahi"],
        ["Hodan", "Sagal", "Ayaan", "Maryan", "Hibo"],
        ["Fadumo", "Hawa", "Sahra", "Amina", "Khadra"], ["Abdi", "Hassan", "Ahmed", "Ismail"],
        ["Farah", "Warsame", "Hussein", "Osman", "Jama", "Nur"], "Somali"),
    "arab": (
        ["Omar", "Kareem", "Adam", "Zaid", "Yousef"], ["Layla", "Noor", "Sara", "Rania", "Hala"],
        ["Rasha", "Huda", "Lina", "Maha", "Dalia"], ["Khalid", "Ammar", "Samer", "Walid"],
        ["Haddad", "Al-Khatib", "Hamdan", "Saleh", "Darwish", "Nasser"], "Arabic"),
    "pakistani": (
        ["Ayaan", "Zayn", "Ibrahim", "Rayyan", "Musa"], ["Aleena", "Hafsa", "Inaya", "Maryam", "Zara"],
        ["Saima", "Nasreen", "Rubina", "Shazia", "Farzana"], ["Tariq", "Imran", "Asif", "Naveed"],
        ["Khan", "Hussain", "Akhtar", "Iqbal", "Raza", "Malik"], "Urdu"),
    "bangladeshi": (
        ["Rahim", "Ayan", "Arif", "Tanvir"], ["Nusrat", "Sumaiya", "Tasnim", "Raisa"],
        ["Shirin", "Rokeya", "Taslima", "Hasina"], ["Jamal", "Sohel", "Anwar", "Kamal"],
        ["Miah", "Uddin", "Begum", "Ahmed", "Rahman"], "Bengali"),
    "turkish": (
        ["Emir", "Yusuf", "Mert", "Efe"], ["Elif", "Zeynep", "Defne", "Azra"],
        ["Ayse", "Fatma", "Emine", "Hatice"], ["Mustafa", "Murat", "Huseyin", "Serkan"],
        ["Yildiz", "Kaya", "Demir", "Celik", "Sahin"], "Turkish"),
    "nigerian": (
        ["Daniel", "Tobi", "Emmanuel", "Samuel", "David"], ["Precious", "Favour", "Tiwa", "Chioma"],
        ["Funke", "Blessing", "Ngozi", "Yetunde", "Bisi"], ["Tunde", "Chinedu", "Emeka", "Segun"],
        ["Adeyemi", "Okafor", "Balogun", "Eze", "Oladipo", "Nwankwo"], None),
    "ghanaian": (
        ["Kofi", "Kwame", "Nana", "Jeremiah"], ["Ama", "Abena", "Esi", "Akosua"],
        ["Akua", "Efua", "Adwoa", "Gifty"], ["Kwabena", "Yaw", "Kojo", "Kwesi"],
        ["Mensah", "Boateng", "Owusu", "Asante", "Ofori"], None),
    "caribbean": (
        ["Malachi", "Jaden", "Tyrese", "Kyrie", "Reuben"], ["Nia", "Kiara", "Tiana", "Jada", "Amara"],
        ["Shereen", "Marcia", "Tanisha", "Simone"], ["Delroy", "Marlon", "Andre", "Jermaine"],
        ["Campbell", "Thompson", "Grant", "Brown", "Francis", "Reid"], None),
    "greek_cypriot": (
        ["Andreas", "Christos", "Nikos", "Marios"], ["Eleni", "Maria", "Christina", "Anastasia"],
        ["Despina", "Androulla", "Georgia"], ["Costas", "Panayiotis", "Michalis"],
        ["Georgiou", "Christodoulou", "Ioannou", "Charalambous"], None),
}
_BACKGROUND_WEIGHTS = {"white_british": 30, "polish": 7, "romanian": 6, "somali": 6, "arab": 4,
                       "pakistani": 5, "bangladeshi": 4, "turkish": 6, "nigerian": 9, "ghanaian": 5,
                       "caribbean": 10, "greek_cypriot": 4}
_INTERPRETERS = {
    "Polish": ["Beata Malinowska", "Agata Sobczak"], "Romanian": ["Cristina Radu", "Oana Vasilescu"],
    "Somali": ["Faisal Aden", "Nimco Yusuf"], "Arabic": ["Rami Aziz", "Mona Sabry"],
    "Urdu": ["Shabana Qureshi", "Zahid Butt"], "Bengali": ["Rokeya Khatun", "Jamal Chowdhury"],
    "Turkish": ["Derya Arslan", "Ozan Kaya"],
}
_INTERPRETER_SERVICES = ["DA Languages", "thebigword", "Language Line"]
#: Council staff who interpret now and then (they are not users of the ledger).
_STAFF_INTERPRETERS = {"Urdu": "Nazia Iqbal", "Turkish": "Selin Arslan", "Somali": "Hodan Ali",
                       "Polish": "Ewelina Kowal", "Arabic": "Yasmin Saad"}

#: The care journeys a child can take, and how many working days each needs to play out.
_JOURNEY_PATTERN = ["cp", "nfa", "cin", "eh_close", "cic", "prebirth", "leaver", "cin_down",
                    "cp_stay", "eh_up", "cic_in", "nfa", "cin", "cp", "eh_close", "cin",
                    "cp", "nfa", "cin_down", "cic_in", "cin", "cp_stay", "eh_close", "leaver", "cp"]
_JOURNEY_LENGTH = {"cp": 200, "nfa": 45, "cin": 170, "eh_close": 110, "cic": 200, "prebirth": 140,
                   "leaver": 120, "cin_down": 200, "cp_stay": 120, "eh_up": 180, "cic_in": 60}
_CONCERNS_FOR = {
    "cp": ["neglect", "domestic_abuse", "substance", "mental_health"],
    "cp_stay": ["neglect", "domestic_abuse", "substance"],
    "cic": ["neglect", "substance", "domestic_abuse"],
    "cin": ["attendance", "mental_health", "housing", "health", "neglect"],
    "cin_down": ["attendance", "mental_health", "housing", "health"],
    "nfa": ["attendance", "health", "housing", "neglect"],
    "eh_close": ["attendance", "housing", "health"],
    "eh_up": ["attendance", "neglect", "mental_health"],
    "prebirth": ["substance", "domestic_abuse", "mental_health"],
    "cic_in": ["neglect"], "leaver": ["neglect"],
}
_CP_CATEGORY = {"neglect": "neglect", "substance": "neglect", "domestic_abuse": "emotional abuse",
                "mental_health": "neglect", "attendance": "neglect", "housing": "neglect",
                "health": "neglect"}
_REFERRERS = {
    "attendance": ["school"], "neglect": ["school", "health visitor", "neighbour", "anonymous"],
    "domestic_abuse": ["police", "school", "family member"], "mental_health": ["GP", "family member"],
    "substance": ["anonymous", "police", "neighbour"], "housing": ["family member", "school", "GP"],
    "health": ["health visitor", "GP"],
}
_AGES = {"cp": (0, 12), "cp_stay": (0, 11), "cic": (5, 14), "cin": (3, 15), "cin_down": (4, 14),
         "nfa": (2, 15), "eh_close": (5, 13), "eh_up": (5, 12), "cic_in": (8, 15)}


@dataclass
class _Person:
    staff_id: str
    full_name: str
    designation: str
    team: str
    roles: list[str]

    @property
    def first(self) -> str:
        return self.full_name.split()[0]


@dataclass
class _Directory:
    admin: _Person
    everyone: list[_Person]
    managers: dict[str, _Person]
    workers: dict[str, list[_Person]]
    service_manager: _Person
    head_of_service: _Person
    iro: _Person
    edt: _Person


def _staff_directory(rng: random.Random) -> _Directory:
    names = _STAFF_NAMES[:]
    rng.shuffle(names)
    taken: set[str] = set()
    everyone: list[_Person] = []

    def person(designation: str, team: str, *roles: str) -> _Person:
        name = names.pop()
        base = ".".join(re.sub(r"[^a-z]", "", part.lower()) for part in (name.split()[0], name.split()[-1]))
        sid, n = base, 2
        while sid in taken:
            sid, n = f"{base}{n}", n + 1
        taken.add(sid)
        p = _Person(sid, name, designation, team, list(roles))
        everyone.append(p)
        return p

    admin = person("Systems Administrator", "Business Support", "admin")
    hos = person("Head of Service", "Children's Social Care", "head_of_service")
    sm = person("Service Manager", "Safeguarding and Family Support", "service_manager")
    managers: dict[str, _Person] = {}
    workers: dict[str, list[_Person]] = {}
    for team in TEAMS:
        managers[team] = person("Team Manager", team, "team_manager")
        crew = [person("Senior Practitioner", team, "senior_practitioner")]
        for i in range(rng.randint(2, 4)):
            if team == "Early Help":
                crew.append(person("Early Help Practitioner", team, "social_worker"))
            elif team == "Care Leavers" and i == 0:
                crew.append(person("Personal Adviser", team, "social_worker"))
            else:
                crew.append(person("Social Worker", team, "social_worker"))
        workers[team] = crew
    iro = person("Independent Reviewing Officer", "Safeguarding and Quality Assurance", "iro")
    edt = person("Emergency Duty Social Worker", "Emergency Duty Team", "edt")
    person("Helpdesk Analyst", "LCS Helpdesk", "helpdesk")
    person("Quality Assurance Auditor", "Quality Assurance", "auditor")
    return _Directory(admin, everyone, managers, workers, sm, hos, iro, edt)


@dataclass
class _Family:
    """One child, the adults around them and the professionals who know them."""

    child_first: str
    surname: str
    boy: bool
    dob: _dt.date
    expected: bool  # a pre-birth referral: dob is the expected date of birth at referral
    ctx: dict[str, str]
    language: str | None
    needs_interpreter: bool
    interpreters: list[tuple[str, str, str]]  # (name, kind, organisation or relation)


def _family(rng: random.Random, journey: str, referral: _dt.date, force_interpreter: bool) -> _Family:
    if force_interpreter:
        bg = rng.choice([b for b, v in _BACKGROUNDS.items() if v[5]])
    else:
        bg = rng.choices(list(_BACKGROUND_WEIGHTS), weights=list(_BACKGROUND_WEIGHTS.values()))[0]
    boys, girls, women, men, surnames, language = _BACKGROUNDS[bg]
    boy = rng.random() < 0.5
    first = rng.choice(boys if boy else girls)
    surname = rng.choice(surnames)
    if journey == "prebirth":
        dob, expected = referral + _dt.timedelta(days=rng.randint(120, 150)), True
    elif journey == "leaver":
        dob, expected = referral - _dt.timedelta(days=365 * 17 + rng.randint(120, 280)), False
    else:
        lo, hi = _AGES[journey]
        dob, expected = referral - _dt.timedelta(days=rng.randint(lo * 365 + 40, hi * 365 + 300)), False
    household = rng.choices(["mother", "mother_partner", "parents", "father"], weights=[45, 20, 25, 10])[0]
    if household == "father" and journey in ("prebirth", "cic", "cic_in", "leaver"):
        household = "mother"
    mother, father = rng.choice(women), rng.choice(men)
    other_men = [m for m in men if m != father] or men
    ctx: dict[str, str] = {"dad": father}
    if household == "father":
        ctx.update(p1=father, p1rel="father", sh="he", hr="him", hs="his", Sh="He", Hs="His")
    else:
        ctx.update(p1=mother, p1rel="mother", sh="she", hr="her", hs="her", Sh="She", Hs="Her")
        if household == "parents":
            ctx.update(p2=father, p2rel="father", ex=father)
        elif household == "mother_partner":
            partner = rng.choice(other_men)
            ctx.update(p2=partner, p2rel="mother's partner", ex=partner)
        else:
            ctx.update(ex=father)
    sup_rel = rng.choice(["maternal grandmother", "aunt", "paternal grandmother", "family friend"])
    sup_name = rng.choice([w for w in women if w != mother] or women)
    ctx.update(sup=f"{sup_name} ({sup_rel})", sup_first=sup_name, sup_rel=sup_rel,
               sup_full=f"{sup_name} {surname}" if "grand" in sup_rel or sup_rel == "aunt" else sup_name)
    titled = rng.sample(_TITLED, 8)
    age = _age(dob, referral) if not expected else -1
    if 2 <= age <= 4:
        ctx.update(school=rng.choice(_NURSERY), dsl=titled[0], dsl_role="nursery manager")
    elif 4 < age <= 10:
        ctx.update(school=rng.choice(_PRIMARY), dsl=titled[0], dsl_role="designated safeguarding lead")
    elif 11 <= age <= 15:
        ctx.update(school=rng.choice(_SECONDARY), dsl=titled[0], dsl_role="designated safeguarding lead")
    elif age >= 16:
        ctx.update(college=rng.choice(_COLLEGE), school=rng.choice(_COLLEGE), dsl=titled[0],
                   dsl_role="safeguarding officer")
    if age <= 4:
        ctx.update(hv=titled[1])
    gp_i = rng.randrange(len(_GPS))
    ctx.update(gp=_GPS[gp_i], gpname=_GP_DOCTORS[gp_i], police=rng.choice(_POLICE),
               police_unit=rng.choice(["Child Abuse Investigation Team", "Safeguarding Hub",
                                       "Domestic Abuse Unit"]),
               idva=titled[2], dao=titled[3], cc=titled[4], hso=titled[5], midwife=titled[6],
               area=rng.choice(_AREAS))
    if journey in ("cic", "cic_in", "leaver"):
        carer = rng.choice(_FOSTER)
        couple = " and " in carer
        ctx.update(carer=carer, carer_word="foster carers" if couple else "foster carer",
                   carer_has="have" if couple else "has", carer_is="are" if couple else "is")
    if rng.random() < 0.5 and journey not in ("leaver",):
        ctx.update(sib=rng.choice([n for n in boys + girls if n != first]))
    needs_interpreter = bool(language) and (force_interpreter or rng.random() < 0.45)
    interpreters: list[tuple[str, str, str]] = []
    if language:
        names = _INTERPRETERS[language]
        interpreters = [(n, "contracted_service", rng.choice(_INTERPRETER_SERVICES)) for n in names]
        interpreters.append((f"{rng.choice(women)} {surname}", "family_member", "sister"))
        if language in _STAFF_INTERPRETERS:
            interpreters.insert(2, (_STAFF_INTERPRETERS[language], "staff_member",
                                    "Family Support Worker, Early Help"))
    return _Family(first, surname, boy, dob, expected, ctx, language, needs_interpreter, interpreters)
