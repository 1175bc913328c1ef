"""Huawei's `timeZoneID` table (API doc §5) and conversion of the API's minute-precision times.

The labels are Huawei's own text. Each carries a standard offset; for the few IDs whose place
has a well-known IANA zone, that zone is used instead so that summer time is right.
An ID not in the table is reported as unknown and never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# ID -> (Huawei's label, IANA zone where the place maps to one unambiguously)
_TABLE: dict[str, tuple[str, str | None]] = {
    "1": ("(GMT-12:00) Eniwetok, Kwajalein", None),
    "2": ("(GMT-11:00) Midway Island, Samoa", None),
    "3": ("(GMT-10:00) Hawaii", "Pacific/Honolulu"),
    "4": ("(GMT-09:00) Alaska", None),
    "5": ("(GMT-08:00) Pacific Time(US&Canada);Tijuana", "America/Los_Angeles"),
    "6": ("(GMT-07:00) Arizona", None),
    "7": ("(GMT-07:00) Mountain Time(US&Canada)", "America/Denver"),
    "8": ("(GMT-06:00) Central America", None),
    "9": ("(GMT-06:00) Central Time(US&Canada)", "America/Chicago"),
    "10": ("(GMT-06:00) Mexico City", None),
    "11": ("(GMT-06:00) Saskatchewan", None),
    "12": ("(GMT-05:00) Bogota, Lima, Quito", None),
    "13": ("(GMT-05:00) Eastern Time(US&Canada)", "America/New_York"),
    "14": ("(GMT-05:00) Indiana(East)", None),
    "15": ("(GMT-04:00) Atlantic time(Canada)", None),
    "16": ("(GMT-04:00) Caracas, La Paz", None),
    "17": ("(GMT-04:00) Santiago", None),
    "18": ("(GMT-03:30) Newfoundland", None),
    "19": ("(GMT-03:00) Brasilia", "America/Sao_Paulo"),
    "20": ("(GMT-03:00) Buenos Aires, Georgetown", None),
    "21": ("(GMT-03:00) Greenland", None),
    "22": ("(GMT-02:00) Mid-Atlantic", None),
    "23": ("(GMT-01:00) Azores", None),
    "24": ("(GMT-01:00) Cape Verde Is.", None),
    "25": ("(GMT) Casablanca, Monrovia", None),
    "26": ("(GMT) Greenwich Mean Time:Dublin, Edinburgh, Lisbon, London", "Europe/London"),
    "27": ("(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
    "28": ("(GMT+01:00) Belgrade, Bratislava, Budapest, Ljubljana, Prague", None),
    "29": ("(GMT+01:00) Brussels, Copenhagen, Madrid, Paris", "Europe/Paris"),
    "30": ("(GMT+01:00) Sarajevo, Skopje, Sofija, Warsaw, Zagreb", None),
    "31": ("(GMT+01:00) West Central Africa", None),
    "32": ("(GMT+02:00) Athens, Istanbul, Vilnius", None),
    "33": ("(GMT+02:00) Bucharest", None),
    "34": ("(GMT+02:00) Cairo", None),
    "35": ("(GMT+02:00) Harare, Pretoria", None),
    "36": ("(GMT+02:00) Helsinki, Riga, Tallinn", None),
    "37": ("(GMT+02:00) Jerusalem", None),
    "38": ("(GMT+03:00) Baghdad, Minsk", None),
    "39": ("(GMT+03:00) Kuwait, Riyadh", None),
    "40": ("(GMT+03:00) Moscow, St. Petersburg, Volgograd", None),
    "41": ("(GMT+03:00) Nairobi", None),
    "42": ("(GMT+03:30) Tehran", None),
    "43": ("(GMT+04:00) Abu Dhabi, Muscat", None),
    "44": ("(GMT+04:00) Baku, Tbilisi, Yerevan", None),
    "45": ("(GMT+04:30) Kabul", None),
    "46": ("(GMT+05:00) Ekaterinburg", None),
    "47": ("(GMT+05:00) Islamabad, Karachi, Tashkent", None),
    "48": ("(GMT+05:30) Calcutta, Chennai, Mumbai, New Delhi", "Asia/Kolkata"),
    "49": ("(GMT+05:45) Kathmandu", None),
    "50": ("(GMT+06:00) Almaty, Novosibirsk", None),
    "51": ("(GMT+06:00) Astana, Dhaka", None),
    "52": ("(GMT+06:00) Sri Jayawardenepura", None),
    "53": ("(GMT+06:30) Rangoon", None),
    "54": ("(GMT+07:00) Bangkok, Hanoi, Jakarta", None),
    "55": ("(GMT+07:00) Krasnoyarsk", None),
    "56": ("(GMT+08:00) Beijing, Chongqing, Hong Kong, Urumqi, Taipei", "Asia/Shanghai"),
    "57": ("(GMT+08:00) Irkutsk, Ulaan Bataar", None),
    "58": ("(GMT+08:00) Kuala Lumpur, Singapore", "Asia/Singapore"),
    "59": ("(GMT+08:00) Perth", None),
    "60": ("(GMT+09:00) Osaka, Sapporo, Tokyo", "Asia/Tokyo"),
    "61": ("(GMT+09:00) Seoul", "Asia/Seoul"),
    "62": ("(GMT+09:00) Yakutsk", None),
    "63": ("(GMT+09:30) Adelaide", None),
    "64": ("(GMT+09:30) Darwin", None),
    "65": ("(GMT+10:00) Brisbane", None),
    "66": ("(GMT+10:00) Canberra, Melbourne, Sydney", "Australia/Sydney"),
    "67": ("(GMT+10:00) Guam, Port Moresby", None),
    "68": ("(GMT+10:00) Hobart", None),
    "69": ("(GMT+10:00) Vladivostok", None),
    "70": ("(GMT+11:00) Magadan, Solomon Is., New Caledonia", None),
    "71": ("(GMT+12:00) Auckland, Welington", "Pacific/Auckland"),
    "72": ("(GMT+12:00) Fiji", None),
    "73": ("(GMT+13:00) Nuku'alofa", None),
    "74": ("(GMT+09:00) Irkutsk", None),
    "75": ("(GMT) Casablanca", None),
    "76": ("(GMT+04:00) Baku", None),
    "77": ("(GMT+12:00) Kamchatka, Marshall Is.", None),
}

_OFFSET = re.compile(r"^\(GMT(?:([+-])(\d{2}):(\d{2}))?\)")
API_TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class MeetingZone:
    """A meeting's time zone: Huawei's ID and label, and the tzinfo used to show local times."""

    id: str
    label: str
    tz: tzinfo


def _label_offset(label: str) -> timezone:
    match = _OFFSET.match(label)
    if match is None or match.group(1) is None:
        return timezone.utc
    sign = -1 if match.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


def _make_tz(label: str, iana: str | None) -> tzinfo:
    if iana:
        try:
            return ZoneInfo(iana)
        except ZoneInfoNotFoundError:  # no tz database on this machine: fall back to the label
            pass
    return _label_offset(label)


ZONES: dict[str, MeetingZone] = {
    zone_id: MeetingZone(zone_id, label, _make_tz(label, iana)) for zone_id, (label, iana) in _TABLE.items()
}


def zone_for(time_zone_id: str | None) -> MeetingZone | None:
    """Return the zone for a `timeZoneID`, or None when it is missing or not in Huawei's table."""
    if time_zone_id is None:
        return None
    return ZONES.get(time_zone_id.strip())


def parse_api_time(value: str | None, zone: tzinfo) -> datetime | None:
    """Parse the API's `YYYY-MM-DD HH:MM` as a wall time in `zone`; None if absent or malformed."""
    if not value:
        return None
    try:
        naive = datetime.strptime(value.strip()[:16], API_TIME_FORMAT)
        return naive.replace(tzinfo=zone).astimezone(timezone.utc)
    except (ValueError, OverflowError):  # malformed, or past year 9999 once moved to UTC
        return None


def iso_utc(moment: datetime, timespec: str = "minutes") -> str:
    """Format an aware datetime as ISO 8601 UTC with a Z suffix, to `timespec` (minutes or seconds)."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def iso_local(moment: datetime, zone: tzinfo, timespec: str = "minutes") -> str | None:
    """Format an aware datetime as ISO 8601 in `zone`, with its offset, to `timespec`; None past year 1 or 9999."""
    try:
        return moment.astimezone(zone).isoformat(timespec=timespec)
    except OverflowError:
        return None
