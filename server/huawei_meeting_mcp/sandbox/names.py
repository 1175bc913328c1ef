"""Realistic, distinct display names for the sample data, in the scripts a global enterprise sees.

Names are built from family and given names per language, written the way each language writes
them (Chinese and Korean without a space, Japanese family name first with a space, the others
given name first), so a large meeting has hundreds of different people and no "Name 416".
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import product

_WESTERN = "{given} {family}"
_POOLS: list[tuple[str, list[str], list[str]]] = [
    (
        "{family}{given}",
        ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭"],
        [
            "伟",
            "娜",
            "敏",
            "洋",
            "静",
            "帆",
            "磊",
            "丽",
            "杰",
            "霞",
            "军",
            "芳",
            "强",
            "婷",
            "涛",
            "雪",
            "明",
            "慧",
            "超",
            "晨",
            "宇",
            "佳",
            "俊",
            "倩",
        ],
    ),
    (
        "{family} {given}",
        ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村"],
        ["健", "花子", "翔", "美咲", "大輔", "陽子"],
    ),
    ("{family}{given}", ["김", "이", "박", "최", "정", "강"], ["민준", "서연", "지훈", "하은", "도윤"]),
    (_WESTERN, ["العلي", "حسن", "المنصور", "الخطيب", "الحسيني"], ["محمد", "فاطمة", "أحمد", "مريم", "يوسف"]),
    (_WESTERN, ["Петров", "Смирнов", "Соколов", "Кузнецов", "Волков"], ["Иван", "Дмитрий", "Сергей", "Алексей"]),
    (_WESTERN, ["Петрова", "Смирнова", "Соколова", "Кузнецова"], ["Ольга", "Анна", "Мария", "Елена"]),
    (_WESTERN, ["Παπαδόπουλος", "Οικονόμου", "Γεωργίου", "Νικολάου"], ["Γιώργος", "Νίκος", "Μαρία", "Ελένη"]),
    (_WESTERN, ["शर्मा", "पटेल", "गुप्ता", "वर्मा"], ["अनिल", "प्रिया", "राहुल", "सुनीता", "विकास"]),
    (
        _WESTERN,
        ["Álvarez", "Müller", "Nowak", "Kierkegård", "Dubois", "Schmidt", "García", "Rossi", "Jensen", "Silva"],
        ["José", "Zoë", "Łukasz", "Søren", "Amélie", "Sarah", "Lars", "Chloé", "Mateo", "Jonas", "Ana", "Pierre"],
    ),
]

KNOWN = [
    "王伟",
    "李娜",
    "张敏",
    "刘洋",
    "陈静",
    "佐藤 健",
    "鈴木 花子",
    "김민준",
    "이서연",
    "محمد العلي",
    "فاطمة حسن",
    "Иван Петров",
    "Ольга Смирнова",
    "Γιώργος Παπαδόπουλος",
    "अनिल शर्मा",
    "प्रिया पटेल",
    "José Álvarez",
    "Zoë Müller",
    "Łukasz Nowak",
    "Søren Kierkegård",
    "Amélie Dubois",
    "Ng Wei Ling",
]
"""Names the sample data has always had, first in every list."""

GUESTS = [
    "Kwame Mensah",
    "Daniel Kim",
    "Fatima Noor",
    "Tomás Herrera",
    "Priya Nair",
    "Lena Vogel",
    "Oluwaseun Adeyemi",
    "Mai Nguyen",
    "Rafael Costa",
    "Ingrid Halvorsen",
    "Aarav Mehta",
    "Chiara Bianchi",
]
"""Outside guests: never on a participant list, so they show up as uninvited when they join."""


def all_names() -> list[str]:
    """Every distinct name the pools can make, known names first, then a fixed shuffle of the rest."""
    made = [
        style.format(family=family, given=given)
        for style, families, givens in _POOLS
        for family, given in product(families, givens)
    ]
    rest = sorted(set(made) - set(KNOWN) - set(GUESTS))
    random.Random(416).shuffle(rest)  # noqa: S311 - sample data, not security
    return [*KNOWN, *rest]


_ALL = all_names()


def distinct_names(count: int) -> list[str]:
    """`count` distinct names (raises ValueError beyond what the pools can make)."""
    if count > len(_ALL):
        raise ValueError(f"the name pools make {len(_ALL)} names, not {count}")
    return _ALL[:count]


def endless_names() -> Iterator[str]:
    """Names for a crowd (a webinar audience): distinct as far as they go, then repeating, as real crowds do."""
    while True:
        yield from _ALL
