"""The English catalogue follows the glossary (docs/glossary.md): an entry holding a Chinese term has
that term's English in its translation. Longer terms are matched first, so 重大火灾隐患 is checked as
"major fire hazard" and not again as "hazard"."""

import re
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| (?P<zh>[^|]+?) \| (?P<en>[^|]+?) \| [^|]*\|$")

# Entries where the term is not the thing: example data, and sentences whose English says it otherwise.
NOT_THE_TERM = {
    "多人用顿号分隔，例如：赵专干、钱网格员": "example names in a help text",
    "现将%(start)s至%(end)s全县%(count)s个乡镇（街道办）冬春火灾防控工作情况通报如下：": "通报 as a verb: reported",
    "消防安全自查，火灾隐患自除，法律责任自负。": "the slogan: 自查 as a verb, inspect your own",
}


def glossary() -> list[tuple[str, str]]:
    terms = []
    for line in (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match and match["zh"] not in ("中文", "---"):
            english = match["en"].split("…")[0].strip().lower()  # "rectif… (…)": a stem
            terms.append((match["zh"], english))
    return sorted(terms, key=lambda term: -len(term[0]))


def test_the_glossary_is_read():
    terms = dict(glossary())
    assert terms["隐患"] == "hazard"
    assert terms["重大火灾隐患"] == "major fire hazard"
    assert len(terms) >= 30


def _mismatches() -> list[str]:
    catalogue = polib.pofile(str(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    terms = glossary()
    found = []
    for entry in catalogue:
        if entry.obsolete or entry.msgid_plural or entry.msgid in NOT_THE_TERM:
            continue
        text, english = entry.msgid, entry.msgstr.lower().replace("re-inspection", "re-inspect")
        for zh, en in terms:
            if zh not in text:
                continue
            text = text.replace(zh, "\0")  # a shorter term inside it is the same thing
            if en not in english:
                found.append(f"{zh} → {en!r}: {entry.msgid!r} = {entry.msgstr!r}")
    return found


def test_every_catalogue_entry_uses_the_glossary_term():
    assert _mismatches() == []
