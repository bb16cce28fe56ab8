"""A city-sized synthetic festival in the fixture format, for benchmarks and scale tests.

`lehoi generate-festival --venues N --events M --seed S` writes it; `lehoi load-fixtures FILE` loads it. The same
arguments give the same bytes on every machine (`random.Random(seed)`, no other source of chance). Venues spread
over Hanoi's inner districts, most of them around Hoàn Kiếm, and over real craft villages 10–50 km out; names
are built from real street, pagoda and craft names, with their diacritics; every event is on one of the nine
days, inside its venue's opening hours. Every record is marked `sample`, and the festival says it is synthetic.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta, timezone
from typing import Any

import msgspec

from server.programme.checks import slugify

TZ = timezone(timedelta(hours=7))
FIRST_DAY = date(2024, 11, 9)
DAYS = 9
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: (district vi, district en, south, north, west, east, weight): boxes of the inner districts
DISTRICTS = [
    ("Hoàn Kiếm", "Hoàn Kiếm", 21.018, 21.040, 105.843, 105.860, 30),
    ("Ba Đình", "Ba Đình", 21.028, 21.045, 105.812, 105.842, 14),
    ("Đống Đa", "Đống Đa", 21.005, 21.028, 105.805, 105.840, 10),
    ("Hai Bà Trưng", "Hai Bà Trưng", 21.000, 21.020, 105.843, 105.865, 9),
    ("Tây Hồ", "Tây Hồ", 21.045, 21.075, 105.810, 105.840, 8),
    ("Cầu Giấy", "Cầu Giấy", 21.020, 21.045, 105.785, 105.805, 6),
    ("Long Biên", "Long Biên", 21.035, 21.055, 105.865, 105.900, 6),
    ("Thanh Xuân", "Thanh Xuân", 20.990, 21.005, 105.800, 105.825, 4),
    ("Hoàng Mai", "Hoàng Mai", 20.965, 20.995, 105.840, 105.870, 3),
]
#: real craft villages: (slug, name vi, name en, district vi, lat, lon, craft vi, craft en)
VILLAGES = [
    ("bat-trang", "Bát Tràng", "Bát Tràng", "Gia Lâm", 20.983, 105.917, "gốm", "pottery"),
    ("kieu-ky", "Kiêu Kỵ", "Kiêu Kỵ", "Gia Lâm", 20.980, 105.949, "dát vàng", "gold leaf"),
    ("van-phuc", "Vạn Phúc", "Vạn Phúc", "Hà Đông", 20.981, 105.779, "lụa", "silk"),
    ("chuong", "Chuông", "Chuông", "Thanh Oai", 20.858, 105.778, "nón lá", "conical hats"),
    ("quang-phu-cau", "Quảng Phú Cầu", "Quảng Phú Cầu", "Ứng Hòa", 20.800, 105.780, "hương", "incense"),
    ("phu-vinh", "Phú Vinh", "Phú Vinh", "Chương Mỹ", 20.930, 105.680, "mây tre đan", "rattan and bamboo"),
    ("son-dong", "Sơn Đồng", "Sơn Đồng", "Hoài Đức", 21.036, 105.696, "tượng gỗ", "wood carving"),
    ("ha-thai", "Hạ Thái", "Hạ Thái", "Thường Tín", 20.901, 105.869, "sơn mài", "lacquer"),
    ("nhi-khe", "Nhị Khê", "Nhị Khê", "Thường Tín", 20.908, 105.852, "tiện gỗ", "wood turning"),
    ("thach-xa", "Thạch Xá", "Thạch Xá", "Thạch Thất", 21.027, 105.606, "chuồn chuồn tre", "bamboo dragonflies"),
    ("chang-son", "Chàng Sơn", "Chàng Sơn", "Thạch Thất", 21.038, 105.601, "quạt giấy", "paper fans"),
    ("duong-lam", "Đường Lâm", "Đường Lâm", "Sơn Tây", 21.155, 105.474, "làng cổ", "old village"),
    ("xuan-la", "Xuân La", "Xuân La", "Phú Xuyên", 20.770, 105.870, "tò he", "rice-dough figurines"),
    ("dong-ky", "Đồng Kỵ", "Đồng Kỵ", "Từ Sơn", 21.139, 105.950, "đồ gỗ", "furniture"),
]
STREETS = [
    "Hàng Bạc",
    "Hàng Đào",
    "Hàng Gai",
    "Hàng Mã",
    "Hàng Buồm",
    "Tạ Hiện",
    "Mã Mây",
    "Lý Thái Tổ",
    "Tràng Tiền",
    "Hai Bà Trưng",
    "Phan Đình Phùng",
    "Hoàng Diệu",
    "Điện Biên Phủ",
    "Nguyễn Thái Học",
    "Quốc Tử Giám",
    "Kim Mã",
    "Xuân Diệu",
    "Thụy Khuê",
    "Đội Cấn",
    "Văn Cao",
    "Láng",
    "Chùa Bộc",
    "Tôn Đức Thắng",
    "Bà Triệu",
    "Lò Đúc",
    "Nguyễn Du",
    "Trần Hưng Đạo",
    "Hàng Chiếu",
    "Phùng Hưng",
    "Ngọc Thụy",
    "Nguyễn Văn Cừ",
    "Hàng Khay",
    "Đinh Tiên Hoàng",
    "Hàng Trống",
    "Nhà Thờ",
    "Ấu Triệu",
    "Lãn Ông",
    "Hàng Thiếc",
    "Hàng Nón",
    "Bát Đàn",
    "Cửa Bắc",
    "Quán Thánh",
    "Thanh Niên",
    "Yên Phụ",
    "Trúc Bạch",
    "Giảng Võ",
    "Nguyễn Chí Thanh",
    "Thái Hà",
    "Tây Sơn",
    "Lê Duẩn",
    "Hàng Chuối",
    "Bạch Đằng",
    "Chương Dương",
    "Gia Quất",
    "Ngọc Lâm",
    "Đê La Thành",
]
PAGODAS = [
    "Quán Sứ",
    "Bà Đá",
    "Trấn Quốc",
    "Kim Liên",
    "Láng",
    "Hòe Nhai",
    "Lý Quốc Sư",
    "Phúc Khánh",
    "Vũ Thạch",
    "Liên Phái",
    "Bộc",
    "Hà",
    "Quang Minh",
    "Cầu Đông",
    "Phổ Giác",
]
CRAFTS = [
    ("gốm", "ceramics"),
    ("in", "print"),
    ("sơn mài", "lacquer"),
    ("giấy dó", "dó paper"),
    ("dệt", "textile"),
    ("gỗ", "woodwork"),
    ("kim hoàn", "jewellery"),
    ("thiết kế", "design"),
    ("ảnh", "photography"),
    ("đồ họa", "graphics"),
]
THEMES = [
    ("Ký ức phố cổ", "Memories of the Old Quarter"),
    ("Giao lộ sáng tạo", "Creative crossroads"),
    ("Mái ngói Hà Nội", "Hanoi roof tiles"),
    ("Ánh sáng sông Hồng", "Red River light"),
    ("Làng trong phố", "A village in the city"),
    ("Chất liệu mới", "New materials"),
    ("Nhịp sống vỉa hè", "Pavement life"),
    ("Di sản đương đại", "Contemporary heritage"),
    ("Sắc màu thủ công", "Colours of craft"),
    ("Tương lai hoài niệm", "Nostalgia for the future"),
    ("Gió mùa thu", "Autumn wind"),
    ("Những cánh cửa", "Doorways"),
    ("Hồ và phố", "Lakes and streets"),
    ("Âm thanh của nghề", "The sound of crafts"),
    ("Bàn tay người thợ", "The maker's hands"),
    ("Đô thị xanh", "A green city"),
    ("Vải và ký ức", "Cloth and memory"),
    ("Ngõ nhỏ", "Little lanes"),
]
#: category → (vi, en) prefix of a title, and whether it runs most of the day
CATEGORIES = {
    "exhibition": ("Triển lãm", "Exhibition", True),
    "installation": ("Sắp đặt", "Installation", True),
    "market": ("Phiên chợ", "Market", True),
    "talk": ("Tọa đàm", "Talk", False),
    "workshop": ("Workshop", "Workshop", False),
    "tour": ("Tour", "Tour", False),
    "performance": ("Biểu diễn", "Performance", False),
    "music": ("Hòa nhạc", "Concert", False),
    "film": ("Chiếu phim", "Screening", False),
    "fashion": ("Trình diễn thời trang", "Fashion show", False),
}
BY_KIND = {
    "heritage": ["exhibition", "talk", "tour", "performance", "music", "installation"],
    "creative_space": ["exhibition", "workshop", "talk", "film", "music", "installation", "fashion"],
    "garden": ["market", "music", "installation", "performance", "exhibition"],
    "craft_village": ["workshop", "tour", "market", "exhibition"],
}
#: kind → (opening, closing, closed weekday or None)
HOURS = {
    "heritage": ("08:00", "17:00", None),
    "creative_space": ("09:00", "21:00", "mon"),
    "garden": ("06:00", "22:00", None),
    "craft_village": ("07:30", "17:30", None),
}
KIND_SHARE = [("heritage", 25), ("creative_space", 35), ("garden", 15), ("craft_village", 25)]


class _Ids:
    def __init__(self) -> None:
        self.taken: set[str] = set()

    def new(self, text: str) -> str:
        base, n = slugify(text), 1
        slug = base
        while slug in self.taken:
            n += 1
            slug = f"{base}-{n}"
        self.taken.add(slug)
        return slug


def _pair(vi: str, en: str) -> dict[str, str]:
    return {"vi": vi, "en": en}


def _venue(rng: random.Random, ids: _Ids, kind: str) -> dict[str, Any]:
    if kind == "craft_village":
        slug, vi, en, district, lat, lon, craft_vi, craft_en = rng.choice(VILLAGES)
        family = rng.choice(["Nguyễn", "Trần", "Lê", "Phạm", "Vũ", "Đỗ", "Bùi", "Đặng"])
        name = _pair(f"Xưởng {craft_vi} nhà {family} – {vi}", f"{family} family {craft_en} workshop, {en}")
        lat, lon = lat + rng.uniform(-0.008, 0.008), lon + rng.uniform(-0.008, 0.008)
        address = _pair(f"làng {vi}, huyện {district}, Hà Nội", f"{en} village, {district} District, Hanoi")
        about = _pair(
            f"Một xưởng {craft_vi} gia đình ở làng {vi}, mở cửa đón khách dịp lễ hội.",
            f"A family {craft_en} workshop in {en}, open to visitors during the festival.",
        )
    else:
        district = rng.choices(DISTRICTS, weights=[d[6] for d in DISTRICTS])[0]
        lat, lon = rng.uniform(district[2], district[3]), rng.uniform(district[4], district[5])
        street, number = rng.choice(STREETS), rng.randint(1, 120)
        if kind == "heritage":
            pagoda = rng.choice(PAGODAS)
            name = rng.choice(
                [
                    _pair(f"Đình {street}", f"{street} Communal House"),
                    _pair(f"Nhà cổ {number} {street}", f"Old house, {number} {street}"),
                    _pair(f"Chùa {pagoda}", f"{pagoda} Pagoda"),
                    _pair(f"Nhà văn hóa phố {street}", f"{street} Street Cultural House"),
                ]
            )
        elif kind == "garden":
            name = rng.choice(
                [
                    _pair(f"Vườn hoa {street}", f"{street} Flower Garden"),
                    _pair(f"Công viên {street}", f"{street} Park"),
                    _pair(f"Sân vườn {number} {street}", f"Garden at {number} {street}"),
                ]
            )
        else:
            craft_vi, craft_en = rng.choice(CRAFTS)
            name = rng.choice(
                [
                    _pair(f"Xưởng {craft_vi} {street}", f"{street} {craft_en} studio"),
                    _pair(f"Không gian sáng tạo {number} {street}", f"Creative space, {number} {street}"),
                    _pair(f"Nhà {craft_vi} {street}", f"{street} House of {craft_en}"),
                ]
            )
        address = _pair(
            f"{number} {street}, quận {district[0]}, Hà Nội", f"{number} {street} Street, {district[1]} District, Hanoi"
        )
        district = district[0]
        about = _pair(
            f"{name['vi']} mở cửa cho lễ hội với chương trình riêng.",
            f"{name['en']} opens for the festival with a programme of its own.",
        )
    opens, closes, closed = HOURS[kind]
    return {
        "id": ids.new(name["vi"]),
        "name": name,
        "kind": kind,
        "district": district,
        "address": address,
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "opening_hours": {d: [[opens, closes]] for d in WEEKDAYS if d != closed},
        "capacity": rng.choice([30, 50, 80, 120, 200, 400, 800]),
        "accessibility": _pair(
            "Lối vào bằng phẳng; có tình nguyện viên hỗ trợ.", "Step-free entrance; volunteers on hand."
        )
        if rng.random() < 0.5
        else _pair("", ""),
        "description": about,
        "sample": True,
    }


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _event(rng: random.Random, ids: _Ids, venue: dict[str, Any]) -> dict[str, Any]:
    open_days = [
        FIRST_DAY + timedelta(days=n)
        for n in range(DAYS)
        if WEEKDAYS[(FIRST_DAY + timedelta(days=n)).weekday()] in venue["opening_hours"]
    ]
    day = rng.choice(open_days)
    ((opens, closes),) = venue["opening_hours"][WEEKDAYS[day.weekday()]]
    first, last = _minutes(opens), _minutes(closes)
    category = rng.choice(BY_KIND[venue["kind"]])
    prefix_vi, prefix_en, all_day = CATEGORIES[category]
    if all_day:
        start, end = first + rng.choice([0, 60]), last - rng.choice([0, 60])
    else:
        length = rng.choice([60, 90, 120, 180])
        start = first + 15 * rng.randrange(max(1, (last - first - length) // 15 + 1))
        end = min(start + length, last)
    theme_vi, theme_en = rng.choice(THEMES)
    at = datetime(day.year, day.month, day.day, tzinfo=TZ)
    return {
        "id": ids.new(f"{prefix_vi} {theme_vi} {venue['id']} {day.isoformat()}"),
        "title": _pair(f"{prefix_vi} “{theme_vi}”", f"{prefix_en}: {theme_en}"),
        "category": category,
        "venue_id": venue["id"],
        "starts_at": (at + timedelta(minutes=start)).isoformat(),
        "ends_at": (at + timedelta(minutes=end)).isoformat(),
        "description": _pair(
            f"{prefix_vi} “{theme_vi}” tại {venue['name']['vi']}.",
            f"{prefix_en} “{theme_en}” at {venue['name']['en']}.",
        ),
        "capacity": rng.choice([None, 20, 40, 100, 300]),
        "tags": [category, slugify(theme_en)[:32]],
        "sample": True,
        "source": None,
    }


def _distance_m(a: dict[str, Any], b: dict[str, Any]) -> float:
    # an equirectangular approximation is plenty to pick neighbours for a walk
    x = math.radians(b["lon"] - a["lon"]) * math.cos(math.radians((a["lat"] + b["lat"]) / 2))
    return 6_371_000 * math.hypot(x, math.radians(b["lat"] - a["lat"]))


def _trail(rng: random.Random, ids: _Ids, venues: list[dict[str, Any]]) -> dict[str, Any]:
    start = rng.choice(venues)
    nearby = sorted((v for v in venues if v is not start), key=lambda v: _distance_m(start, v))
    stops = [start, *nearby[: rng.randint(2, 4)]]
    length = sum(_distance_m(a, b) for a, b in zip(stops, stops[1:], strict=False))
    name = _pair(f"Đi bộ quanh {start['name']['vi']}", f"A walk around {start['name']['en']}")
    return {
        "id": ids.new(f"tour {start['id']}"),
        "name": name,
        "mode": "walk",
        "duration_min": max(15, round(length * 1.25 / (5000 / 60)) + 10 * len(stops)),
        "stops": [v["id"] for v in stops],
        "path": [[v["lon"], v["lat"]] for v in stops],
        "description": _pair("Tuyến đi bộ gợi ý (dữ liệu mẫu).", "A suggested walk (sample data)."),
    }


def generate(venues: int, events: int, seed: int) -> dict[str, Any]:
    """The festival as the fixture file holds it."""
    rng = random.Random(seed)
    ids = _Ids()
    kinds = rng.choices([k for k, _ in KIND_SHARE], weights=[w for _, w in KIND_SHARE], k=venues)
    places = [_venue(rng, ids, kind) for kind in kinds]
    happenings = [_event(rng, ids, rng.choice(places)) for _ in range(events)] if places else []
    trail_ids = _Ids()
    trails = [_trail(rng, trail_ids, places) for _ in range(max(1, venues // 40))] if len(places) >= 3 else []
    last_day = FIRST_DAY + timedelta(days=DAYS - 1)
    note = _pair(
        f"Dữ liệu tổng hợp (hạt giống {seed}): {venues} địa điểm, {events} hoạt động, không có thật.",
        f"Synthetic data (seed {seed}): {venues} venues and {events} events, none of them real.",
    )
    return {
        "festival": {
            "id": f"festival-tong-hop-{seed}",
            "name": _pair("Lễ hội Thiết kế Sáng tạo (tổng hợp)", "Creative Design Festival (synthetic)"),
            "theme": _pair("Giao lộ sáng tạo", "Creative Crossroads"),
            "description": _pair(
                "Một chương trình cỡ thành phố để đo lehoi.", "A city-sized programme to measure lehoi by."
            ),
            "starts_on": FIRST_DAY.isoformat(),
            "ends_on": last_day.isoformat(),
            "timezone": "Asia/Ho_Chi_Minh",
            "website": "",
            "sample_data_note": note,
        },
        "venues": places,
        "events": happenings,
        "trails": trails,
    }


def encode(festival: dict[str, Any]) -> bytes:
    """The file's bytes: keys in order, UTF-8, one line per record, so equal festivals give equal bytes."""
    encoder = msgspec.json.Encoder(order="sorted")
    lines = [b"{"]
    for n, key in enumerate(("festival", "venues", "events", "trails")):
        value = festival[key]
        if isinstance(value, list):
            body = b",\n".join(encoder.encode(item) for item in value)
            lines.append(b'"%s": [\n%s\n]%s' % (key.encode(), body, b"," if n < 3 else b""))
        else:
            lines.append(b'"%s": %s,' % (key.encode(), encoder.encode(value)))
    lines.append(b"}\n")
    return b"\n".join(lines)
