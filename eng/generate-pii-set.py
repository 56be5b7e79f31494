#!/usr/bin/env python3
"""Writes tests/Benchmarks/Data/pii.jsonl: labelled texts for the PII evaluation (`-- pii-eval`).

Each line: {"text": ..., "entities": [{"type": ..., "start": ..., "end": ...}]}. Positives in varied formats, with
valid checksums where the entity has one; negatives that look alike (invalid cards and IBANs, order numbers, versions,
hashes, dates that are not birth dates). Seeded, so the file is the same on every run.
"""
import json, random, string, pathlib

rng = random.Random(20261208)
out = []

def add(parts):
    """parts: strings, or (type, value) tuples for labelled spans."""
    text, entities = "", []
    for part in parts:
        if isinstance(part, tuple):
            kind, value = part
            entities.append({"type": kind, "start": len(text), "end": len(text) + len(value)})
            text += value
        else:
            text += part
    out.append({"text": text, "entities": entities})

first = ["Maria", "James", "Aisha", "Chen", "Olga", "Pedro", "Fatima", "Liam", "Noah", "Emma", "Yuki", "Ravi", "Sofia", "Lucas", "Amara", "Henrik"]
last = ["Gonzalez", "Smith", "Khan", "Wei", "Petrova", "Silva", "Haddad", "Murphy", "Johnson", "Rossi", "Tanaka", "Patel", "Novak", "Dubois", "Okafor", "Larsen"]
domains = ["example.com", "mail.example.org", "corp.example.co.uk", "example.io", "uni.example.edu"]
cities = ["Springfield", "London", "Austin", "Toronto", "Dublin", "Seattle", "Leeds", "Denver"]
streets = ["Baker", "Maple", "Oak Hill", "Sunset", "Market", "King", "Elm", "Park View", "Mill Pond"]
suffixes = ["Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Lane", "Drive", "Court", "Way", "Place"]
months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

def luhn_complete(prefix, length):
    digits = [int(c) for c in prefix] + [rng.randrange(10) for _ in range(length - len(prefix) - 1)]
    for check in range(10):
        candidate = digits + [check]
        total = 0
        for i, d in enumerate(reversed(candidate)):
            if i % 2 == 1:
                d = d * 2 - 9 if d * 2 > 9 else d * 2
            total += d
        if total % 10 == 0:
            return "".join(map(str, candidate))

def fmt_card(number):
    style = rng.choice(["plain", "space", "dash"])
    if style == "plain" or len(number) != 16:
        return number
    sep = " " if style == "space" else "-"
    return sep.join(number[i:i + 4] for i in range(0, 16, 4))

def iban(country, length):
    body = "".join(rng.choice(string.digits) for _ in range(length - 4))
    numeric = "".join(str(int(c, 36)) for c in body + country + "00")
    check = 98 - int(numeric) % 97
    value = f"{country}{check:02d}{body}"
    return value if rng.random() < 0.5 else " ".join(value[i:i + 4] for i in range(0, len(value), 4))

def ssn():
    area = rng.choice([n for n in range(1, 900) if n != 666])
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"

def token(length):
    alphabet = string.ascii_letters + string.digits
    while True:
        value = "".join(rng.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in value) and any(c.isupper() for c in value) and any(c.islower() for c in value):
            return value

phones = [
    lambda: f"+1 650 253 {rng.randrange(1000, 9999)}", lambda: f"(650) 253-{rng.randrange(1000, 9999)}",
    lambda: f"+44 20 7031 {rng.randrange(1000, 9999)}", lambda: f"+44 7400 {rng.randrange(100000, 999999)}",
    lambda: f"+49 30 {rng.randrange(1000000, 9999999)}", lambda: f"+33 1 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}",
    lambda: f"+61 4{rng.randrange(10, 99)} {rng.randrange(100, 999)} {rng.randrange(100, 999)}", lambda: f"+81 3-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
    lambda: f"+91 98{rng.randrange(100, 999)} {rng.randrange(10000, 99999)}", lambda: f"650-253-{rng.randrange(1000, 9999)}",
]

for i in range(50):
    name = f"{rng.choice(first).lower()}{rng.choice(['.', '_', '', '+news.'])}{rng.choice(last).lower()}"
    add([rng.choice(["Please email ", "Contact: ", "cc ", "Send the invoice to "]), ("Email", f"{name}@{rng.choice(domains)}"), rng.choice([" today.", ", thanks", " asap", "."])])
for i in range(50):
    add([rng.choice(["Call me on ", "My number is ", "Phone: ", "Reach the desk at "]), ("Phone", rng.choice(phones)()), rng.choice([" after 5pm.", ".", " any time", ""])])
issuers = [("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16), ("35", 16)]
for i in range(50):
    prefix, length = rng.choice(issuers)
    add([rng.choice(["Charge card ", "My card is ", "Use ", "CC: "]), ("CreditCard", fmt_card(luhn_complete(prefix, length))), rng.choice([" exp 04/29.", ", cvv later", ".", " for the order"])])
for i in range(40):
    country, length = rng.choice([("DE", 22), ("GB", 22), ("FR", 27), ("NL", 18), ("ES", 24), ("IT", 27), ("BE", 16), ("CH", 21)])
    if country in ("GB", "NL"):
        bank = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
        body = bank + "".join(rng.choice(string.digits) for _ in range(length - 8))
        numeric = "".join(str(int(c, 36)) for c in body + country + "00")
        value = f"{country}{98 - int(numeric) % 97:02d}{body}"
        value = value if rng.random() < 0.5 else " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    else:
        value = iban(country, length)
    add([rng.choice(["Wire it to IBAN ", "Account: ", "Pay into ", "IBAN: "]), ("Iban", value), rng.choice([" by Friday.", ".", ", reference 42"])])
for i in range(40):
    if rng.random() < 0.75:
        add([rng.choice(["My SSN is ", "SSN: ", "Social security number ", "ssn "]), ("UsSsn", ssn()), rng.choice([".", " for the form", ""])])
    else:
        add([rng.choice(["SSN: ", "social security number "]), ("UsSsn", ssn().replace("-", "")), "."])
for i in range(40):
    if rng.random() < 0.7:
        value = ".".join(str(rng.randrange(1, 255)) for _ in range(4))
    else:
        value = "2001:db8:" + ":".join(f"{rng.randrange(0, 65535):x}" for _ in range(6))
    add([rng.choice(["Login from ", "The server at ", "Blocked IP ", "client "]), ("IpAddress", value), rng.choice([" failed.", " is down", ".", " again"])])
for i in range(40):
    year, month, day = rng.randrange(1940, 2006), rng.randrange(1, 13), rng.randrange(1, 29)
    value = rng.choice([f"{year}-{month:02d}-{day:02d}", f"{month}/{day}/{year}", f"{day} {months[month - 1]} {year}", f"{months[month - 1]} {day}, {year}"])
    add([rng.choice(["I was born on ", "DOB: ", "Date of birth: ", "Born ", "birthday is "]), ("DateOfBirth", value), rng.choice([".", " in Leeds", ", thanks"])])
for i in range(40):
    value = f"{rng.choice(first)} {rng.choice(last)}"
    add([rng.choice(["Hello, my name is ", "Patient: ", "Regards,\n", "Dr. ", "Mr. ", "Ms. ", "Customer: "]), ("Person", value), rng.choice([" and I need help.", "\n", ".", " called."])])
for i in range(40):
    value = f"{rng.randrange(1, 9999)} {rng.choice(streets)} {rng.choice(suffixes)}, {rng.choice(cities)}"
    add([rng.choice(["Ship it to ", "I live at ", "Address: ", "Deliver to "]), ("Address", value), rng.choice([".", " please", "\n"])])
secrets = [
    lambda: "sk-proj-" + token(40), lambda: "sk_live_" + token(24), lambda: "ghp_" + token(36), lambda: "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
    lambda: "xoxb-" + "-".join(str(rng.randrange(10 ** 11, 10 ** 12)) for _ in range(2)) + "-" + token(24), lambda: "glpat-" + token(20), lambda: token(40),
]
for i in range(40):
    add([rng.choice(["Here is my key ", "export OPENAI_API_KEY=", "token: ", "use the secret "]), ("Secret", rng.choice(secrets)()), rng.choice([" to log in.", "", ".", " in prod"])])
for i in range(30):
    value = rng.choice(["", "MR", "A-"]) + str(rng.randrange(10 ** 6, 10 ** 9))
    add([rng.choice(["MRN: ", "Medical record number ", "mrn #", "Patient ID: "]), ("MedicalRecordNumber", value), rng.choice([" was admitted.", ".", " on ward 4"])])

def bad_luhn():
    prefix, length = rng.choice(issuers)
    good = luhn_complete(prefix, length)
    return good[:-1] + str((int(good[-1]) + rng.randrange(1, 10)) % 10)

negatives = [
    lambda: f"Order number {rng.randrange(10 ** 15, 10 ** 16)} has shipped.",
    lambda: f"Card {fmt_card(bad_luhn())} was declined: it is not a valid number.",
    lambda: f"Invoice {rng.randrange(10 ** 9, 10 ** 10)} is due on the first.",
    lambda: f"Ticket {rng.choice(['000', '666', '912'])}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)} was closed.",
    lambda: f"Version {rng.randrange(1, 9)}.{rng.randrange(0, 20)}.{rng.randrange(0, 99)} was released on {rng.randrange(2015, 2026)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}.",
    lambda: f"Commit {''.join(rng.choice('0123456789abcdef') for _ in range(40))} fixed the build.",
    lambda: f"The request id is {''.join(rng.choice('0123456789abcdef') for _ in range(8))}-{''.join(rng.choice('0123456789abcdef') for _ in range(4))}-4{''.join(rng.choice('0123456789abcdef') for _ in range(3))}-a{''.join(rng.choice('0123456789abcdef') for _ in range(3))}-{''.join(rng.choice('0123456789abcdef') for _ in range(12))}.",
    lambda: f"The meeting moved to {rng.randrange(10, 23)}:{rng.randrange(10, 59)}:{rng.randrange(10, 59)} on floor {rng.randrange(1, 30)}.",
    lambda: f"It costs ${rng.randrange(1, 999)}.{rng.randrange(10, 99)} plus tax, item SKU-{rng.randrange(10000, 99999)}.",
    lambda: f"The package {rng.choice(['1Z', 'JD'])}{rng.randrange(10 ** 13, 10 ** 14)} arrives {rng.choice(months)} {rng.randrange(1, 28)}, {rng.randrange(2024, 2027)}.",
    lambda: f"IBAN DE{rng.randrange(10, 99)} 3704 0044 0532 0130 0{rng.randrange(0, 9)} has a bad checksum, please resend.",
    lambda: f"I am Happy to help with the {rng.choice(streets)} project in {rng.choice(cities)}.",
    lambda: f"Our ZIP is {rng.randrange(10000, 99999)} and the office code is {rng.randrange(100, 999)}.",
    lambda: f"Set the timeout to {rng.randrange(100, 99999)} ms and retries to {rng.randrange(1, 9)}.",
    lambda: f"The model scored {rng.randrange(1, 99)}.{rng.randrange(1, 99)}% on the benchmark in {rng.randrange(2019, 2026)}.",
]
negatives_made = 0
while negatives_made < 150:
    text = rng.choice(negatives)()
    # An invalid IBAN built by chance with a right checksum would be a positive: skip it.
    if text.startswith("IBAN DE"):
        candidate = text[5:32].replace(" ", "")
        numeric = "".join(str(int(c, 36)) for c in candidate[4:] + candidate[:4])
        if int(numeric) % 97 == 1:
            continue
    add([text])
    negatives_made += 1

path = pathlib.Path(__file__).resolve().parent.parent / "tests" / "Benchmarks" / "Data" / "pii.jsonl"
path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in out), encoding="utf-8")
print(f"{len(out)} examples ({sum(1 for line in out if line['entities'])} with entities) written to {path}")
