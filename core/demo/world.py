"""A seeded synthetic "demo world": a month of airline chatter with planted answers.

:func:`generate` builds, from a seed alone, a list of native-format post records (the
fields of :data:`hubbub.records.NATIVE_FIELDS`), the text of a ``hubbub.toml`` that tracks
the world's brands and topics, and ``expected``: the answers an analysis of the records
should find. Same seed and arguments give byte-for-byte the same world; nothing reads the
global :mod:`random` state or the clock.

The world
---------
About 3,000 ordinary authors (heavy-tailed followers, median about 300) talk about travel
on Twitter (mostly), Mastodon and Bluesky, in English (~85%), Spanish (~9%) and Arabic
(~6%); ``lang`` is set on about 70% of posts. Three airline brands differ sharply in how
they treat customers who @-mention them: ``skyjet`` (handles ``SkyJet`` and its care
account ``SkyJetHelp``) answers ~92% within a median of ~10 minutes, ``aerolux``
(``AeroLux``) ~65% within ~3 hours, ``globair`` (``GlobAir``) ~8% within ~2 days. A reply
that would fall after the end of the window is never posted. Customers never follow up on
a brand's reply and nobody else replies to brand posts. Brands also post announcements
(which people repost) and people name brands without an @ ("flying aerolux tomorrow"),
which counts for share of voice only.

Two topics are tracked with Lucene queries, ``baggage = '"lost bag" OR #baggage OR
luggage'`` and ``delays = 'delay* OR #delayed OR cancelled'``; every topic post contains
one of those tokens and no other post contains them (nor near-misses such as "cancel" or
"baggage" without the ``#``). Per topic three low-follower accounts (50-400 followers) are
planted as influencers: 40-100 distinct topic authors reply to, quote, repost or mention
them in topic posts. Two "celebrities" per topic (200k-2M followers) post about ten topic
posts each that nobody replies to, quotes, reposts or mentions. On day 17 (``start`` + 17
days) ``delays`` spikes to about 5x its usual daily volume (``#stormdelay``, "storm", and
a handful of authors posting all day); no other day of either topic exceeds 2x the
topic's median daily volume.

Ids are Twitter-snowflake-like 19-digit strings (well above 2**53) that grow with time, on
every platform; records are sorted by ``created_at`` then ``id``. ``created_at`` is ISO
8601 UTC with a ``Z`` and whole seconds.

The official rules behind ``expected``
--------------------------------------
Handles compare case-insensitively. A *repost* is a record with ``repost_of_id``.

Responsiveness, per brand B
    *Inbound* posts are those not authored by any tracked brand's handle, that are not
    reposts, and that @-mention one of B's handles (via ``mentions``) or reply to a post
    authored by one of B's handles (``reply_to_author``). An inbound post is *answered*
    when a post authored by one of B's handles replies to it directly (``reply_to_id``)
    at a time >= the inbound post's; the earliest such reply counts, and its delay in
    seconds is the first-response time. ``response_rate = answered / inbound`` rounded
    to 6 decimals (0.0 without inbound posts); ``median_seconds`` is
    ``statistics.median`` of the first-response times as a float, not rounded (``None``
    when nothing was answered).

Share of voice, per brand B
    A post *mentions* B when it is not authored by one of B's handles and either
    @-mentions one of B's handles (via ``mentions``) or its text contains one of B's
    keywords as a whole word, case-insensitively: not adjacent to a letter, digit,
    underscore or ``@`` (so ``#skyjet`` and ``SkyJet's`` count, but ``@SkyJetHelp`` and
    ``#SkyJetLife`` do not count as the keyword ``skyjet``). Reposts count. A post counts
    at most once per brand. ``share = mentions of B / sum over all brands``, rounded to 6
    decimals.

Influencers and celebrities
    The planted accounts per topic; influencers are listed by their number of distinct
    engagers, most first (ties by handle).

Spikes
    The planted (topic, day) pairs, the day as ``YYYY-MM-DD`` in UTC.
"""

from __future__ import annotations

import math
import re
import statistics
import time
from bisect import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

__all__ = [
    "BRANDS",
    "SPIKE_DAY",
    "TOPICS",
    "DemoWorld",
    "compute_responsiveness",
    "compute_share_of_voice",
    "generate",
    "topic_of",
]

#: the tracked brands: handles (canonical spelling), keywords and reply targets
BRANDS: dict[str, dict[str, Any]] = {
    "skyjet": {"handles": ["SkyJet", "SkyJetHelp"], "keywords": ["skyjet"], "reply_target": "15m"},
    "aerolux": {"handles": ["AeroLux"], "keywords": ["aerolux"], "reply_target": "1h"},
    "globair": {"handles": ["GlobAir"], "keywords": ["globair"], "reply_target": "1h"},
}

#: the tracked topics as Lucene queries
TOPICS: dict[str, str] = {
    "baggage": '"lost bag" OR #baggage OR luggage',
    "delays": "delay* OR #delayed OR cancelled",
}

#: the day index (from ``start``) of the planted ``delays`` spike in a 30-day world
SPIKE_DAY = 17

_TWITTER_EPOCH_MS = 1288834974657
_MIN_POSTS = 1000
_MIN_DAYS = 7

# ---------------------------------------------------------------------------------------
# Behaviour of the world (at the default 20,000 posts; counts scale with ``posts``)
# ---------------------------------------------------------------------------------------

_BEHAVIOUR: dict[str, dict[str, Any]] = {
    "skyjet": {
        "rate": 0.92,
        "median": 600.0,
        "sigma": 0.8,
        "customers": 1100,
        "keyword": 520,
        "announcements": {"SkyJet": 40, "SkyJetHelp": 12},
        "repost_mean": 3.0,
        "flight": "SJ",
        "repliers": (("SkyJetHelp", 0.85), ("SkyJet", 0.15)),
        "mentioned": (("SkyJet", 0.55), ("SkyJetHelp", 0.45)),
        "variants": ("SkyJet", "SkyJet", "Skyjet", "skyjet", "skyjet", "SKYJET"),
        "accounts": {
            "SkyJet": ("SkyJet ✈️", 1_240_000),
            "SkyJetHelp": ("SkyJet Help", 86_500),
        },
    },
    "aerolux": {
        "rate": 0.65,
        "median": 3 * 3600.0,
        "sigma": 0.9,
        "customers": 650,
        "keyword": 330,
        "announcements": {"AeroLux": 30},
        "repost_mean": 2.5,
        "flight": "AX",
        "repliers": (("AeroLux", 1.0),),
        "mentioned": (("AeroLux", 1.0),),
        "variants": ("AeroLux", "AeroLux", "Aerolux", "aerolux", "aerolux"),
        "accounts": {"AeroLux": ("AeroLux Airlines", 412_000)},
    },
    "globair": {
        "rate": 0.08,
        "median": 2 * 86400.0,
        "sigma": 0.8,
        "customers": 420,
        "keyword": 300,
        "announcements": {"GlobAir": 24},
        "repost_mean": 1.8,
        "flight": "GA",
        "repliers": (("GlobAir", 1.0),),
        "mentioned": (("GlobAir", 1.0),),
        "variants": ("GlobAir", "GlobAir", "Globair", "globair", "globair"),
        "accounts": {"GlobAir": ("GlobAir", 231_000)},
    },
}
_BRAND_WEIGHTS = (("skyjet", 0.5), ("aerolux", 0.3), ("globair", 0.2))  # for topic posts

_N_AUTHORS = 3000
_TOPIC_POOL = {"baggage": 450, "delays": 550}
_TOPIC_POSTS = {"baggage": 1500, "delays": 1800}
_TOPIC_INTERACTION_SHARE = 0.12
_SPIKE_FACTOR = 4.0  # extra spike-day posts, in units of the usual daily volume

_HOUR_WEIGHTS = (
    0.35, 0.25, 0.18, 0.14, 0.14, 0.2, 0.38, 0.65, 0.95, 1.1, 1.1, 1.05,
    1.05, 1.0, 1.0, 1.0, 1.05, 1.15, 1.3, 1.4, 1.35, 1.15, 0.85, 0.55,
)  # fmt: skip
_SPIKE_HOUR_WEIGHTS = (0.3,) * 8 + (0.8, 1.5) + (3.0,) * 10 + (1.5,) * 4
_WEEKDAY_WEIGHTS = (1.0, 0.97, 1.0, 1.03, 1.1, 0.88, 0.92)
_LANGS = (("en", 0.84), ("es", 0.093), ("ar", 0.067))
_PLATFORMS = (("twitter", 0.78), ("mastodon", 0.12), ("bluesky", 0.10))
_LANG_TAGGED = 0.7

# ---------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = {
    "en": _words(
        "maria james olivia liam emma noah ava lucas mia ethan chloe jack sophie daniel grace "
        "ryan zoe nathan lily sam hannah leo ella max nina tom kate ben amy alex jess chris "
        "laura mark sara paul anna dave rachel kevin julia sean megan adam lucy matt claire "
        "josh emily tyler priya arjun wei mei kenji yuki jan piotr ola kasia lars ingrid sven "
        "aiden freya oscar isla ruby harry"
    ),
    "es": _words(
        "carlos lucia javier sofia diego valentina mateo camila pablo elena andres isabel "
        "miguel paula alejandro carmen santiago daniela jorge marta luis ana raul gabriela "
        "fernando rocio"
    ),
    "ar": _words(
        "ahmed mohammed fatima omar layla youssef noor khalid sara hassan mariam ali huda "
        "tariq amira karim rania samir dina faisal yasmin hamza salma ziad"
    ),
}
_LAST = {
    "en": _words(
        "smith johnson brown taylor wilson davies evans walker wright thompson white hughes "
        "green hall wood clarke jackson turner hill moore cooper ward kowalski nowak mueller "
        "schmidt rossi bianchi dubois martin kim lee chen wang patel singh tanaka sato okafor "
        "mensah nielsen larsen oconnor murphy kelly byrne"
    ),
    "es": _words(
        "garcia martinez lopez sanchez perez gomez fernandez diaz torres ramirez flores romero "
        "navarro ruiz morales ortiz castro vargas herrera medina"
    ),
    "ar": _words(
        "alharbi hassan mansour khalil haddad nasser saleh aziz farouk qasim rahman hamdan"
    ),
}
_DISPLAY = {
    "lucia": "Lucía", "sofia": "Sofía", "andres": "Andrés", "raul": "Raúl", "rocio": "Rocío",
    "garcia": "García", "martinez": "Martínez", "lopez": "López", "sanchez": "Sánchez",
    "perez": "Pérez", "gomez": "Gómez", "fernandez": "Fernández", "diaz": "Díaz",
    "ramirez": "Ramírez", "oconnor": "O'Connor",
}  # fmt: skip
_ARABIC_SCRIPT = {
    "ahmed": "أحمد", "mohammed": "محمد", "fatima": "فاطمة", "omar": "عمر", "layla": "ليلى",
    "youssef": "يوسف", "noor": "نور", "khalid": "خالد", "sara": "سارة", "hassan": "حسن",
    "mariam": "مريم", "ali": "علي", "huda": "هدى", "tariq": "طارق", "amira": "أميرة",
    "karim": "كريم", "rania": "رانيا", "samir": "سمير", "dina": "دينا", "faisal": "فيصل",
    "yasmin": "ياسمين", "hamza": "حمزة", "salma": "سلمى", "ziad": "زياد",
    "alharbi": "الحربي", "mansour": "منصور", "khalil": "خليل", "haddad": "حداد",
    "nasser": "ناصر", "saleh": "صالح", "aziz": "عزيز", "farouk": "فاروق", "qasim": "قاسم",
    "rahman": "رحمن", "hamdan": "حمدان",
}  # fmt: skip
_HANDLE_WORDS = _words(
    "travels flies abroad wanders onthego jetsets explores roams away globetrots miles "
    "trips passport nomad"
)
_BIOS = ("travel", "avgeek", "foodie", "runner", "mum of 2", "dad", "engineer", "nurse")
_NAME_EMOJI = ("✈️", "🌍", "🌴", "☕", "📸", "🧭")

_CELEBRITIES = (
    ("RickyAlvarezTV", "Ricky Alvarez"),
    ("ChefAnnaRossi", "Anna Rossi"),
    ("DJMarcoWave", "Marco Wave 🎧"),
    ("LaylaSingsLive", "Layla"),
    ("TheTomBrennan", "Tom Brennan"),
    ("SofiaVegaMusic", "Sofía Vega"),
    ("KaiRunsTheWorld", "Kai Nakamura"),
    ("NadiaKhalilTV", "Nadia Khalil"),
)
_STORM_HUBS = (
    ("ORD", "Chicago"),
    ("DEN", "Denver"),
    ("MSP", "Minneapolis"),
    ("BOS", "Boston"),
    ("JFK", "New York"),
)

# ---------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------

_CITIES = {
    "en": (
        "Lisbon", "Madrid", "Barcelona", "Rome", "Berlin", "Paris", "London", "Dublin",
        "Amsterdam", "New York", "Chicago", "Toronto", "Mexico City", "Bogotá", "Dubai",
        "Doha", "Cairo", "Istanbul", "Athens", "Tokyo", "Singapore", "Bangkok", "Cape Town",
        "Nairobi", "Reykjavik", "Marrakech", "Vienna", "Prague", "Warsaw", "Oslo", "Lima",
        "Seattle", "Miami", "Denver", "Edinburgh", "Copenhagen",
    ),
    "es": (
        "Madrid", "Barcelona", "Sevilla", "Valencia", "Bilbao", "Ciudad de México", "Bogotá",
        "Lima", "Buenos Aires", "Santiago", "Cancún", "Medellín", "Málaga", "Quito",
        "Montevideo",
    ),
    "ar": (
        "دبي", "القاهرة", "الرياض", "جدة", "الدوحة", "عمّان", "بيروت", "الدار البيضاء",
        "تونس", "مسقط", "الكويت", "إسطنبول", "لندن", "باريس",
    ),
}  # fmt: skip
_AIRPORTS = _words(
    "JFK LHR CDG MAD FRA AMS DXB IST ORD ATL LAX BCN FCO DOH SIN YYZ MEX BOG CAI WAW LIS DUB "
    "CPH MUC"
)
_MONTHS = {
    "en": ("April", "May", "June", "September", "October", "December"),
    "es": ("abril", "mayo", "junio", "octubre", "diciembre"),
    "ar": ("أبريل", "مايو", "يونيو", "أكتوبر"),
}
_GOOD = ("✈️", "🌍", "😍", "🙃", "😂", "😅", "🙏", "☀️", "🌴", "😴", "☕", "🎉", "👏", "💺",
         "🛫", "🛬", "❤️", "🌅", "🙌", "😎", "🤞", "✨")  # fmt: skip
_BAD = ("😤", "🙄", "😡", "🤦", "😩", "💀", "🥲", "😒")

_T = dict[str, tuple[str, ...]]

_CHATTER: _T = {
    "en": (
        "Finally heading to {city} this weekend! {e}",
        "Window seat secured for {city} tomorrow {e}",
        "{airport} at 6am is a different universe {e}",
        "Is there anything better than the first coffee after a red-eye? ☕",
        "Booked {city} for {month} on a whim. No regrets {e} #travel",
        "Jet lag is real. Landed in {city} and I have no idea what day it is {e}",
        "Hot take: aisle seats are superior and I will not be taking questions",
        "Sunset over the wing somewhere near {city} {e} #avgeek",
        "Pro tip: download offline maps before you land in {city}",
        "Anyone know a decent place to eat near gate {gate} at {airport}?",
        "The {airport} lounge coffee machine deserves an award {e}",
        "Packing light for {n} days in {city}. Wish me luck {e}",
        "Three countries in {n} days, my passport is tired {e}",
        "Can't believe how cheap the train from {city} to {city2} was",
        "Security line at {airport} moved fast today for once {e}",
        "Note to self: never book a {hour}am flight again",
        "{city}, you were amazing. Until next time {e} #wanderlust",
        "Best airport snack? Go. I'll start: pretzels",
        "Watched {n} movies on the flight to {city} and regret nothing {e}",
        "Does anyone actually sleep on planes? Asking from seat {seat} {e}",
        "Middle seat, crying baby, {hours} hours to {city}. Send help {e}",
        "Just realised my passport expires in {n} months. Renewal time",
        "Kid's first flight today and she loved the takeoff {e}",
        "Layover in {city} turned into a mini city tour {e}",
        "Travel hack: a scarf doubles as a blanket on every flight",
        "Airport people-watching is my favourite sport {e}",
        "Landing in {city} with the city lights below {e} #avgeek",
        "The flight attendants on my {city} flight were legends today {e}",
        "Spent my layover hunting for the best croissant at {airport} {e}",
        "Points finally paid off: business class to {city}! {e}",
        "Trying to fit {n} days of clothes into one backpack {e}",
        "Who else claps when the plane lands? No judgement",
        "{city} in {month} is a dream, highly recommend {e}",
        "Currency exchange at {airport} is a rip-off, just use a card",
        "Museum day in {city} and my feet are destroyed {e}",
        "Road trip from {city} to {city2}, then flying home",
        '"Boarding will begin shortly" is the biggest lie in aviation {e}',
        "Travel journal, page {n}: {city}, rain, great pasta, zero complaints",
        "Anyone been to {city}? Need tips for a {n}-day trip",
        "Plane spotting at {airport} with a thermos of tea {e} #avgeek",
        "Hotel breakfast in {city}: 10/10, would fly {hours} hours again for it",
        "Noise-cancelling headphones are the best travel money I ever spent",
        "Sorting photos from {city}, {nn}% of them are of food {e}",
        "That moment the wheels leave the runway {e} #avgeek",
        "Booked a tiny apartment in {city} for {month}, so excited {e}",
        "Hand cream, lip balm, charger, passport. Ready for {city} {e}",
        "Gate {gate}, {airport}. Boarding soon, tea in hand ☕ #TravelTuesday",
        "Just crossed off {city} from the bucket list {e} #PassportReady",
    ),
    "es": (
        "¡Por fin de vacaciones! Rumbo a {city} {e}",
        "El aeropuerto de {city} está lleno hoy {e}",
        "¿Alguien tiene recomendaciones para comer en {city}?",
        "Asiento de ventana y un café, no pido más {e}",
        "La tripulación fue muy amable durante todo el vuelo, gracias {e}",
        "Primer viaje sola y estoy emocionada {e} #viajar",
        "Aterrizamos en {city} con un atardecer precioso {e}",
        "Consejo: descarga los mapas antes de aterrizar en {city}",
        "{hours} horas de vuelo y por fin en casa {e}",
        "Qué bonito es {city} en {month} {e}",
        "Nunca más reservo un vuelo a las {hour} de la mañana 😴",
        "Mi pasaporte caduca en {n} meses, toca renovarlo",
        "Escala en {city} convertida en mini tour por la ciudad {e} #viajar",
        "¿Ventanilla o pasillo? Yo siempre ventanilla {e}",
        "Desayuno en el aeropuerto de {city} antes de despegar ☕",
        "Ya tengo los billetes para {city} en {month} {e}",
    ),
    "ar": (
        "أخيراً في الإجازة! الوجهة: {city} {e}",
        "المطار مزدحم جداً اليوم {e}",
        "أفضّل دائماً المقعد بجانب النافذة {e}",
        "الطاقم كان لطيفاً جداً طوال الرحلة، شكراً لهم {e}",
        "منظر الغروب من نافذة الطائرة لا يُنسى {e} #سفر",
        "هل من توصيات لمطاعم جميلة في {city}؟",
        "وصلت إلى {city} بعد رحلة طويلة، الحمد لله على السلامة {e}",
        "نصيحة: احجز تذكرتك مبكراً لتحصل على أفضل سعر",
        "الطعام على متن الطائرة كان لذيذاً هذه المرة {e}",
        "رحلة رائعة إلى {city} مع العائلة {e} #سفر",
        "قهوة الصباح في المطار قبل الإقلاع ☕",
        "جواز سفري يحتاج إلى تجديد قريباً 😅",
        "أول رحلة لابني اليوم وكان سعيداً جداً بالإقلاع {e}",
        "{hours} ساعات من الطيران وأخيراً في البيت {e}",
    ),
}
_CHATTER_FRIEND: _T = {
    "en": (
        "Road trip with @{friend} starts tomorrow {e}",
        "Reunited with @{friend} in {city} after {n} years {e}",
        "Who's joining @{friend} and me in {city} in {month}?",
        "Thanks @{friend} for the {city} tips, all spot on {e}",
        "Booked {city} with @{friend} for {month}, it's happening {e}",
    ),
    "es": ("Con @{friend} rumbo a {city}, ¡qué ganas! {e}",),
    "ar": ("سنعود إلى {city} قريباً يا @{friend} {e}",),
}
_CHATTER_REPLY: _T = {
    "en": (
        "totally agree!", "haha same {e}", "ooh enjoy {city}!", "this is so true",
        "where did you stay?", "I was there last {month}, loved it", "take me with you {e}",
        "great shot!", "the struggle is real {e}", "noted for my next trip, thanks!",
        "you have to try the street food there", "safe travels! {e}", "100% this",
        "wait, which airline?", "omg I needed this tip", "jealous {e}",
        "how long are you staying?", "adding this to my list {e}",
    ),
    "es": (
        "¡Qué envidia! {e}", "¡Buen viaje!", "Totalmente de acuerdo", "¿Dónde te alojaste?",
        "Me encanta esa ciudad {e}", "Jajaja me pasa siempre", "¡Qué fotos tan bonitas!",
    ),
    "ar": (
        "رحلة سعيدة! {e}", "أتفق معك تماماً", "ما شاء الله، صور جميلة {e}", "أين أقمت هناك؟",
        "أحب هذه المدينة كثيراً {e}", "ههههه يحدث معي دائماً", "بالتوفيق وسلامتك",
    ),
}  # fmt: skip
_CHATTER_QUOTE: _T = {
    "en": (
        "This is exactly why I travel {e}", "Adding this to my list", "Can confirm {e}",
        "Everyone needs to hear this", "So true it hurts", "Saving this for my {city} trip",
        "Ok now I want to go back to {city} {e}",
    ),
    "es": ("Esto es tan cierto {e}", "Lo guardo para mi próximo viaje", "Gran consejo"),
    "ar": ("كلام صحيح تماماً {e}", "سأحفظ هذا لرحلتي القادمة", "نصيحة مفيدة جداً"),
}  # fmt: skip

_CUSTOMER: dict[str, _T] = {
    "complaint": {
        "en": (
            "@{h} I've been on hold for {mins} minutes trying to change my booking. Anyone there?",
            "@{h} my refund from {weeks} weeks ago still says processing {bad}",
            "@{h} your app keeps crashing at check-in, tried three times now",
            "@{h} charged twice for seat selection, booking ref {ref}. Please fix",
            "@{h} the wifi on {flight} didn't work for the entire flight {bad}",
            "@{h} really rude gate agent at {airport} today, not ok",
            "Hey @{h}, why was I moved to a middle seat after paying for an aisle?",
            "@{h} been waiting {days} days for a reply to my email about booking {ref} {bad}",
            "@{h} the seat on {flight} was broken and wouldn't recline, {hours} hours like that",
            "@{h} your website won't accept my card, tried {n} times {bad}",
            "So @{h} sold my seat twice and now I'm on standby at {airport}. Great.",
            "@{h} where is the vegetarian meal I pre-ordered on {flight}?",
            "@{h} honestly {other} treats customers better than this {bad}",
            "@{h} the check-in queue at {airport} is {mins} minutes long with two desks open",
        ),
        "es": (
            "@{h} llevo {mins} minutos al teléfono para cambiar mi reserva {bad}",
            "@{h} todavía espero el reembolso de hace {weeks} semanas",
            "@{h} la app se cierra cada vez que intento hacer el check-in",
            "@{h} me cobraron dos veces la selección de asiento, reserva {ref}",
        ),
        "ar": (
            "@{h} أنتظر استرداد المبلغ منذ {weeks} أسابيع {bad}",
            "@{h} التطبيق لا يعمل عند تسجيل الوصول، حاولت ثلاث مرات",
            "@{h} تم خصم المبلغ مرتين من بطاقتي، رقم الحجز {ref}",
            "@{h} الموظف في مطار {city} لم يكن محترماً أبداً {bad}",
        ),
    },
    "question": {
        "en": (
            "@{h} can I bring a guitar as a carry-on?",
            "@{h} do you offer vegetarian meals on the {city} route?",
            "@{h} how early should I get to {airport} for an international flight?",
            "@{h} can I add my frequent flyer number after booking?",
            "@{h} are small dogs allowed in the cabin on flights to {city}?",
            "@{h} quick question: is there wifi on the {city} route?",
            "@{h} can I change the name on booking {ref}? Typo in my surname {e}",
            "@{h} is seat selection free for kids under 12?",
            "@{h} hi! is the {airport} lounge open to premium economy?",
        ),
        "es": (
            "@{h} ¿se puede llevar una guitarra en cabina?",
            "@{h} ¿tienen menú vegetariano en la ruta a {city}?",
            "@{h} ¿puedo añadir mi número de viajero frecuente después de reservar?",
        ),
        "ar": (
            "@{h} هل يمكنني تغيير موعد رحلتي؟",
            "@{h} هل تتوفر وجبات نباتية على رحلات {city}؟",
            "@{h} هل يوجد واي فاي على متن رحلاتكم إلى {city}؟",
        ),
    },
    "praise": {
        "en": (
            "Huge thanks to the @{h} crew on {flight}, they made my daughter's first flight magical ✨",
            "@{h} smoothest landing into {city} I've ever had 👏",
            "Shoutout to @{h} for the surprise upgrade today {e}",
            "@{h} the new seats are so comfy, great job",
            "Lovely cabin crew on {flight} today, thank you @{h} {e}",
        ),
        "es": (
            "@{h} gracias a la tripulación del vuelo {flight}, excelente servicio {e}",
            "Gracias @{h} por el cambio de asiento, todo perfecto {e}",
        ),
        "ar": (
            "@{h} شكراً للطاقم على الرحلة {flight}، خدمة ممتازة {e}",
            "@{h} أفضل رحلة مع أطفالي، شكراً لكم {e}",
        ),
    },
}
_CUSTOMER_KINDS = (("complaint", 0.55), ("question", 0.3), ("praise", 0.15))

_BRAND_REPLY: dict[str, dict[str, _T]] = {
    "skyjet": {
        "complaint": {
            "en": (
                "@{c} Hi {first}, so sorry about this. Could you DM us your booking reference? "
                "We'll sort it out ^{ag}",
                "@{c} That's not the experience we want for you, {first}. Send us a DM with the "
                "details and we'll take a look ^{ag}",
                "@{c} Oh no, {first}! We're on it. Please DM us your booking ref ^{ag}",
            ),
        },
        "question": {
            "en": (
                "@{c} Hi {first}! Thanks for asking. The help centre in our app has the details, "
                "and we're happy to check your booking by DM ^{ag}",
                "@{c} Great question, {first}. Our help page has the details, and we're happy to "
                "check your booking by DM ^{ag}",
            ),
        },
        "praise": {
            "en": (
                "@{c} Thank you {first}! We'll pass this on to the crew 💙 ^{ag}",
                "@{c} This made our day, {first}! See you on board soon 💙 ^{ag}",
            ),
        },
    },
    "aerolux": {
        "complaint": {
            "en": (
                "@{c} Dear {first}, we apologise for the inconvenience. Kindly send us a private "
                "message with your booking details.",
                "@{c} We are sorry to hear this, {first}. Please contact us by DM so we can "
                "review your case.",
            ),
        },
        "question": {
            "en": (
                "@{c} Thank you for your question. Please check the Help section of our website "
                "or send us a DM.",
            ),
        },
        "praise": {
            "en": ("@{c} Thank you for flying with us, we hope to welcome you aboard again soon.",),
        },
    },
    "globair": {
        "complaint": {
            "en": ("@{c} Please contact our customer service centre via the form on our website.",),
        },
        "question": {"en": ("@{c} Information is available on our website.",)},
        "praise": {"en": ("@{c} Thank you for your feedback.",)},
    },
}
_BRAND_REPLY_LOCAL: dict[str, _T] = {
    "complaint": {
        "es": (
            "@{c} Hola {first}, sentimos lo ocurrido. Envíanos un DM con tu código de reserva y "
            "lo revisamos.",
        ),
        "ar": ("@{c} مرحباً {first}، نأسف لما حدث. يرجى مراسلتنا برقم الحجز وسنساعدك.",),
    },
    "question": {
        "es": (
            "@{c} ¡Hola {first}! Encontrarás la información en el centro de ayuda de nuestra app, "
            "y podemos revisar tu reserva por DM.",
        ),
        "ar": (
            "@{c} مرحباً {first}! ستجد كل التفاصيل في مركز المساعدة في تطبيقنا، "
            "ويمكننا مراجعة حجزك عبر الرسائل الخاصة.",
        ),
    },
    "praise": {
        "es": ("@{c} ¡Muchas gracias, {first}! Se lo haremos saber a la tripulación 💙",),
        "ar": ("@{c} شكراً جزيلاً {first}! سننقل كلماتك الجميلة إلى الطاقم 💙",),
    },
}
_AGENTS = ("MK", "JL", "AP", "RS", "TN", "CB", "EW", "LM")

_ANNOUNCEMENTS: _T = {
    "SkyJet": (
        "New route alert: SkyJet now flies daily between {city} and {city2} {e}",
        "Spring sale is live! Fares to {city} from ${price}. Book by Sunday.",
        "Questions about your trip? Our team at @SkyJetHelp is here 24/7.",
        "Say hello to our newest A321neo {e} #avgeek",
        "Free wifi on every SkyJet flight starting this month {e}",
        "Window or aisle? Tell us below 👇",
        "Our crew at {airport} say hi {e}",
        "SkyJet Plus members: double points on all flights to {city} this week",
    ),
    "SkyJetHelp": (
        "Tip: pick your seat for free 24h before departure in the SkyJet app.",
        "We're here 24/7. Send us a DM with your booking reference and we'll help.",
        "Heads up: the new SkyJet app brings faster check-in and boarding passes in your wallet.",
        "Travelling with kids? Families board first on all SkyJet flights {e}",
    ),
    "AeroLux": (
        "AeroLux Business is now available to {city}. Comfort, redefined.",
        "Discover {city} with AeroLux. Fares from ${price}.",
        "Our new lounge at {airport} opens today {e}",
        "Members enjoy priority boarding on every AeroLux flight.",
        "Fly to {city} this spring and earn double miles.",
    ),
    "GlobAir": (
        "GlobAir: more destinations, more value. {city} from ${price}.",
        "GlobAir welcomes passengers to our new gates at {airport}.",
        "Check in online and save time at the airport.",
        "Our summer schedule is now on sale.",
    ),
}

_KEYWORD: _T = {
    "en": (
        "flying {kw} tomorrow, first time with them {e}",
        "{Kw} lounge at {airport} is actually nice",
        "booked {kw} to {city} for ${price}, not bad at all",
        "anyone flown {kw} business class? worth it?",
        "{Kw} or {kw2} for a trip to {city}? help {e}",
        "the {Kw} crew on my flight today were lovely {e}",
        "just got a {kw} sale email, resisting... {e}",
        "my dad only flies {Kw}, it's his whole personality",
        "{Kw} seats have more legroom than I expected {e}",
        "comparing {kw} and {kw2} prices to {city} like it's my job",
        "first time on {Kw} and the coffee was surprisingly good ☕",
        "#{kw} #travel boarding now {e}",
        "loving the new {Kw} cabin #{Kw}Life {e}",
        "{Kw}'s new route to {city} is exactly what I needed",
    ),
    "es": (
        "Mañana vuelo con {Kw} a {city} {e}",
        "¿Alguien ha volado con {Kw}? ¿Qué tal es?",
        "{Kw} tiene buenos precios a {city} este mes",
        "Entre {Kw} y {kw2}, ¿cuál me recomiendan para ir a {city}?",
    ),
    "ar": (
        "سأسافر مع {Kw} إلى {city} غداً {e}",
        "هل جرب أحد {Kw}؟ ما رأيكم؟",
        "أسعار {Kw} إلى {city} جيدة هذا الشهر",
    ),
}

_TOPIC_TEXT: dict[str, _T] = {
    "baggage": {
        "en": (
            "Still no sign of my luggage after {days} days {bad}",
            "lost bag update, day {days}: the tracker says it's in {city} and I'm in {city2} {bad}",
            "Pro tip: put a tracker in your checked luggage. Saved me today #baggage",
            "Waited {mins} minutes at the carousel at {airport} and my bag never showed #baggage",
            "Is it just me or is luggage handling at {airport} getting worse?",
            "Filed a lost bag report at {airport}. Wish me luck 🙏",
            "My luggage went to {city} without me {e} #baggage",
            "Carousel {n} at {airport}, one hour, zero bags. #baggage",
            "Reminder: photograph your luggage before you check it in",
            "Day {days} of wearing the same hoodie because of a lost bag {bad}",
            "Got my luggage back with a broken wheel. Better than nothing I guess {bad}",
            "How long does a lost bag claim usually take? Asking for me {e}",
            "Packed my meds in checked luggage, rookie mistake, never again",
            "Finally reunited with my luggage after {days} days! {e} #baggage",
            "Someone at {airport} is wearing my sweater right now, I just know it #baggage",
            "{Kw} lost my luggage on the way to {city} {bad}",
            "Waiting for {Kw} to find my lost bag, day {days} #baggage",
        ),
        "es": (
            "Perdieron mi maleta en {city} otra vez {bad} #baggage",
            "{days} días sin maleta y sin respuestas #baggage",
            "Consejo: pon un localizador en tu equipaje facturado #baggage",
            "Mi maleta llegó rota, qué desastre #baggage",
            "¡Por fin apareció mi maleta después de {days} días! {e} #baggage",
        ),
        "ar": (
            "فقدت حقيبتي في مطار {city} ولا أحد يرد {bad} #baggage",
            "{days} أيام بدون حقيبتي ولا أي خبر #baggage",
            "وصلت حقيبتي أخيراً بعد {days} أيام {e} #baggage",
            "نصيحة: ضع جهاز تتبع في حقيبتك قبل السفر #baggage",
            "حقيبتي وصلت مكسورة، يا لها من تجربة #baggage",
        ),
    },
    "delays": {
        "en": (
            "Flight delayed {hours} hours at {airport}, third time this month #delayed",
            "Cancelled again. Rebooked on the {hour}pm to {city} {bad}",
            "Delays everywhere at {airport} today, bring snacks",
            "Any tips for claiming delay compensation? #delayed",
            "My {city} flight just got cancelled an hour before boarding {bad}",
            "Sitting on the tarmac for {mins} minutes now. Delayed, no explanation {bad}",
            "Connecting flight cancelled, stuck in {city} overnight {bad}",
            "The departures board at {airport} is a sea of red. Delays on everything #delayed",
            "Delayed {mins} min, then a gate change, then delayed again {bad}",
            "Pro tip: check the inbound aircraft, it predicts delays before the airline does",
            "Missed my connection in {city} thanks to a {hours} hour delay {bad} #delayed",
            "How is every single evening flight out of {airport} delayed?",
            "Got a voucher for the delay. A voucher. For {hours} hours. {bad}",
            "cancelled, rebooked, cancelled again. {city} clearly doesn't want me {e}",
            "{Kw} flight to {city} delayed again {bad}",
            "Thanks {Kw}, cancelled with zero notice {bad} #delayed",
        ),
        "es": (
            "Mi vuelo a {city} lleva {hours} horas de retraso #delayed",
            "Vuelo cancelado y sin hotel, genial {bad} #delayed",
            "Otra vez retrasado en {city} #delayed",
            "Perdí la conexión en {city} por el retraso {bad} #delayed",
        ),
        "ar": (
            "تأخرت رحلتي {hours} ساعات ولا أحد يشرح السبب #delayed",
            "تم إلغاء الرحلة في آخر لحظة {bad} #delayed",
            "عالق في مطار {city} بسبب التأخير #delayed",
            "فاتتني رحلة الربط بسبب التأخير {bad} #delayed",
        ),
    },
}
_TOPIC_REPLY: dict[str, _T] = {
    "baggage": {
        "en": (
            "same thing happened to my luggage at {airport} {bad}",
            "hope your luggage turns up soon!",
            "ugh, lost bag club. Hang in there",
            "file the lost bag report before you leave, it helps #baggage",
            "did they ever find your luggage?",
        ),
    },
    "delays": {
        "en": (
            "mine's delayed too {bad}",
            "cancelled here as well, rebooking now",
            "the delays at {airport} today are unreal",
            "hope you make your connection! delays everywhere #delayed",
            "same, delayed {hours} hours and counting",
        ),
    },
}
_TOPIC_QUOTE: dict[str, _T] = {
    "baggage": {
        "en": (
            "Not just me then {bad} #baggage",
            "Same thing happened to my luggage last {month}",
            "This is why I only fly with a carry-on. No luggage, no problem",
        ),
    },
    "delays": {
        "en": (
            "Same here, delayed again {bad}",
            "Yep, cancelled on me too",
            "Delays are out of control this month #delayed",
        ),
    },
}
_INFLUENCER_TEXT: dict[str, tuple[str, ...]] = {
    "baggage": (
        "Thread: what to do in the first hour after a lost bag. Step 1: file the report before "
        "you leave the airport #baggage",
        "Your airline owes you for a lost bag. Here's the claim template I use 👇 #baggage",
        "I tracked {nn} luggage claims this year. Median time to get the bag back: {days} days "
        "#baggage",
        "Packing rule that survives a lost bag: meds, chargers and one outfit go in your "
        "carry-on. Always. #baggage",
        "PSA: damaged luggage claims have a 7-day window on most carriers. Don't wait #baggage",
        "Updated my luggage tracker comparison: {n} devices, {nn} flights, one winner #baggage",
        "Q&A tonight on lost bag claims, drop your questions below #baggage",
        "How to photograph your luggage so the claim actually gets paid (thread) #baggage",
    ),
    "delays": (
        "Thread: how to get compensation for a delayed flight in 5 steps #delayed",
        "Rule of thumb: if your flight is delayed 3+ hours, ask for meals and rebooking before "
        "anything else #delayed",
        "I analysed {nn} delays out of {airport}. Evening departures are the worst by far #delayed",
        "When your flight is cancelled, rebook in the app while you're still in the queue #delayed",
        "Delay compensation cheat sheet, updated for this year. Save it #delayed",
        "Your rights when a flight is cancelled, explained in one picture #delayed",
        "Q&A tonight: delay claims, vouchers and refunds. Ask me anything #delayed",
    ),
}
_CELEBRITY_TEXT: dict[str, tuple[str, ...]] = {
    "baggage": (
        "Touring life: another city, another lost bag {bad} #baggage",
        "Hotel room, no luggage, show in 3 hours. Classic {e}",
        "Whoever has my luggage right now, enjoy the sequins {e} #baggage",
        "Airline lost my luggage again, the glam team is improvising tonight {e}",
        "Stage outfit is in a lost bag somewhere over the Atlantic {e} #baggage",
        "Never travelling without a carry-on again. My luggage has trust issues {e}",
    ),
    "delays": (
        "Delayed again on the way to {city}. I'm coming, promise {e} #delayed",
        "Another cancelled flight, another airport selfie {e}",
        "Studio session moved because my flight got delayed {bad}",
        "Flight cancelled, so here's an impromptu acoustic set at gate {gate} {e}",
        "Three hours delayed at {airport}. Good thing the playlist is long {e} #delayed",
        "Cancelled flight, but the crew at {airport} were stars {e}",
        "Sometimes travel is just delays and snacks {e}",
    ),
}
_ENGAGE: dict[str, dict[str, _T]] = {
    "reply": {
        "baggage": {
            "en": (
                "@{inf} this luggage checklist saved my trip, thank you!",
                "@{inf} used your lost bag claim template, got an answer in {days} days {e}",
                "@{inf} does the luggage claim window apply to connecting flights too?",
                "@{inf} wish I'd read this before my lost bag nightmare last {month} #baggage",
                "@{inf} following your advice, just filed the report at {airport} #baggage",
                "@{inf} great thread. Adding a tracker to my luggage today",
            ),
            "es": ("@{inf} ¡gracias por la guía! Me sirvió para reclamar mi maleta #baggage",),
            "ar": ("@{inf} شكراً على النصائح، استعدت حقيبتي بفضلك #baggage",),
        },
        "delays": {
            "en": (
                "@{inf} this saved me, got compensation for my delayed flight {e}",
                "@{inf} does this apply if the flight was cancelled for weather?",
                "@{inf} used your template after a {hours} hour delay, worked perfectly",
                "@{inf} great thread, sharing with everyone who flies out of {airport} #delayed",
                "@{inf} rebooked in the app like you said while everyone queued. Cancelled "
                "flight, zero stress",
            ),
            "es": ("@{inf} ¡gracias! Conseguí la compensación por mi vuelo retrasado #delayed",),
            "ar": ("@{inf} شكراً، نصائح مفيدة جداً عن التعويض #delayed",),
        },
    },
    "quote": {
        "baggage": {
            "en": (
                "Everyone flying this month should read this #baggage",
                "Bookmarking this luggage guide {e}",
                "Best lost bag advice on here, hands down",
                "This is the luggage thread I needed last week {bad}",
            ),
            "es": ("Todos deberían leer esto antes de volar #baggage",),
            "ar": ("نصائح مهمة لكل مسافر #baggage",),
        },
        "delays": {
            "en": (
                "Read this before your next delayed flight #delayed",
                "Saving this for the next time I get cancelled on {e}",
                "Best delay compensation guide out there",
                "Everyone stuck at {airport} today needs this #delayed",
            ),
            "es": ("Guía muy útil si tu vuelo sale retrasado #delayed",),
            "ar": ("معلومات مهمة عن التعويض #delayed",),
        },
    },
    "mention": {
        "baggage": {
            "en": (
                "Following @{inf}'s lost bag checklist right now {e} #baggage",
                "If your luggage goes missing, read @{inf} first. Seriously.",
                "Thanks to @{inf} my luggage claim finally got paid {e}",
                "The lost bag guide by @{inf} should be printed at every airport #baggage",
            ),
            "es": ("Siguiendo los consejos de @{inf} para mi maleta #baggage",),
            "ar": ("أنصح الجميع بمتابعة @{inf} #baggage",),
        },
        "delays": {
            "en": (
                "Thanks to @{inf} I finally got paid for that delay {e}",
                "If your flight is cancelled, read @{inf} first",
                "Shoutout to @{inf}, the delay claim guide worked #delayed",
                "Doing exactly what @{inf} says about delays right now #delayed",
            ),
            "es": ("Gracias a @{inf} reclamé mi vuelo cancelado #delayed",),
            "ar": ("شكراً @{inf} على نصائح التأخير #delayed",),
        },
    },
}
_SPIKE_TEXT: _T = {
    "en": (
        "This storm is shutting down {hub}. Everything delayed {bad} #stormdelay",
        "Storm update: my flight out of {hub} is now delayed {hours} hours #stormdelay #delayed",
        "Third flight cancelled tonight at {hub}, this storm is no joke #stormdelay",
        "Thunder, hail and a departures board full of delays. Thanks, storm {bad} #stormdelay",
        "Sleeping at {hub} tonight, the storm cancelled everything #stormdelay",
        "Hundreds stuck at {hub}, storm delays piling up #stormdelay #delayed",
        "Ground stop at {hub} because of the storm. Delayed indefinitely {bad} #stormdelay",
        "If you're flying through {hub_city} today: the storm has everything delayed, check "
        "before you leave #stormdelay",
        "{hub_city} storm means my connection is cancelled and the rebooking line is 200 people "
        "long #stormdelay",
        "Is anything leaving {hub} tonight? Storm delays on every board #stormdelay #delayed",
    ),
    "es": (
        "La tormenta en {hub_city} tiene todo parado, vuelo retrasado #stormdelay #delayed",
        "Tormenta fuerte y mi vuelo cancelado, a dormir en el aeropuerto #stormdelay #delayed",
    ),
    "ar": (
        "العاصفة أوقفت الرحلات في {hub}، رحلتي تأخرت {hours} ساعات #stormdelay #delayed",
        "عاصفة قوية وكل الرحلات ملغاة الليلة #stormdelay #delayed",
    ),
}
_STORM_LIVE = (
    "Storm watch, hour {n}: still delayed, still at gate {gate} #stormdelay",
    "Update: rebooked, then cancelled again. Storm 2, me 0 {bad} #stormdelay",
    "Live from {hub}: the storm is getting worse, more flights delayed #stormdelay #delayed",
    "Storm thread continues. Now delayed until {hour}am tomorrow #stormdelay",
    "The storm knocked out the {hub} trains too. Everything delayed {bad} #stormdelay",
    "Pic from gate {gate}: the storm outside, the delays inside #stormdelay",
    "Still here. {hub} storm, hour {n}, my flight says delayed again #stormdelay #delayed",
)

_MENTION = re.compile(r"(?<![\w@])@(\w+)")
_HASHTAG = re.compile(r"(?<![\w#&])#(\w*[^\W\d_]\w*)")
_TOPIC_MATCH = {
    "baggage": re.compile(r"(?<!\w)(?:lost bag(?!\w)|luggage(?!\w)|#baggage(?!\w))", re.I),
    "delays": re.compile(r"(?<!\w)(?:delay\w*|cancelled(?!\w)|#delayed(?!\w))", re.I),
}
# Anything a stemming or prefix search might tie to a topic; no non-topic post has it.
_NEAR_TOPIC = re.compile(r"lost bag|baggag|luggag|delay|cancel|storm", re.I)


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------


@dataclass
class DemoWorld:
    """A generated world: native records, the planted answers and a matching config."""

    #: native-format posts, sorted by ``created_at`` then ``id``
    records: list[dict[str, Any]]
    #: the planted answers (influencers, responsiveness, share_of_voice, spikes, celebrities)
    expected: dict[str, Any]
    #: the text of a ``hubbub.toml`` tracking this world's brands and topics
    config_toml: str


def generate(
    seed: int = 42,
    posts: int = 20_000,
    start: datetime = datetime(2026, 3, 2, tzinfo=UTC),
    days: int = 30,
) -> DemoWorld:
    """Generate the demo world for ``seed``: about ``posts`` posts over ``days`` days.

    :param seed: the only source of randomness; equal arguments give an equal world.
    :param posts: the number of posts (at least 1000); the world has exactly this many.
        The planted structure (40-100 engagers per influencer) is sized for the default
        20,000 and scales down in smaller worlds, where its guarantees get statistical.
    :param start: the first instant of the window (a naive value is taken as UTC).
    :param days: the window's length in days (at least 7); the spike is on day 17 when
        the window is long enough, else proportionally earlier.
    """
    if posts < _MIN_POSTS:
        raise ValueError(f"posts must be at least {_MIN_POSTS}, got {posts}")
    if days < _MIN_DAYS:
        raise ValueError(f"days must be at least {_MIN_DAYS}, got {days}")
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return _Builder(seed, posts, start.astimezone(UTC), days).build()


def compute_responsiveness(
    records: Iterable[Mapping[str, Any]], brands: Mapping[str, Mapping[str, Any]] = BRANDS
) -> dict[str, dict[str, float | None]]:
    """Per brand, ``response_rate`` and ``median_seconds`` by the module's documented rules.

    :param brands: brand key -> a mapping with ``handles``, as in :data:`BRANDS`.
    """
    records = list(records)
    handle_brand = {h.lower(): key for key, spec in brands.items() for h in spec["handles"]}
    own = {key: {h.lower() for h in spec["handles"]} for key, spec in brands.items()}
    by_id = {str(record["id"]): record for record in records}
    first: dict[tuple[str, str], float] = {}
    for record in records:
        brand = handle_brand.get(str(record["author"]).lower())
        parent_id = record.get("reply_to_id")
        if brand is None or parent_id is None or str(parent_id) not in by_id:
            continue
        parent_id = str(parent_id)
        delay = _epoch(record["created_at"]) - _epoch(by_id[parent_id]["created_at"])
        if 0 <= delay < first.get((brand, parent_id), math.inf):
            first[(brand, parent_id)] = delay
    inbound = dict.fromkeys(brands, 0)
    delays: dict[str, list[float]] = {key: [] for key in brands}
    for record in records:
        if str(record["author"]).lower() in handle_brand or record.get("repost_of_id"):
            continue
        mentions = {m.lower() for m in record.get("mentions") or ()}
        replied_to = str(record.get("reply_to_author") or "").lower()
        if not mentions and not replied_to:
            continue
        for key, handles in own.items():
            if mentions & handles or replied_to in handles:
                inbound[key] += 1
                delay = first.get((key, str(record["id"])))
                if delay is not None:
                    delays[key].append(delay)
    return {
        key: {
            "response_rate": round(len(delays[key]) / inbound[key], 6) if inbound[key] else 0.0,
            "median_seconds": float(statistics.median(delays[key])) if delays[key] else None,
        }
        for key in brands
    }


def compute_share_of_voice(
    records: Iterable[Mapping[str, Any]], brands: Mapping[str, Mapping[str, Any]] = BRANDS
) -> dict[str, float]:
    """Per brand, its share of all brand mentions by the module's documented rules.

    :param brands: brand key -> a mapping with ``handles`` and ``keywords``.
    """
    counts = dict.fromkeys(brands, 0)
    specs = []
    for key, spec in brands.items():
        words = "|".join(re.escape(word) for word in spec.get("keywords", ()))
        pattern = re.compile(rf"(?<![\w@])(?:{words})(?![\w@])", re.I) if words else None
        lowered = tuple(word.lower() for word in spec.get("keywords", ()))
        specs.append((key, {h.lower() for h in spec["handles"]}, lowered, pattern))
    for record in records:
        author = str(record["author"]).lower()
        mentions = {m.lower() for m in record.get("mentions") or ()}
        text = record.get("text") or ""
        lowered = text.lower()
        for key, own, words, pattern in specs:
            if author in own:
                continue
            if mentions & own or (
                pattern is not None
                and any(word in lowered for word in words)
                and pattern.search(text)
            ):
                counts[key] += 1
    total = sum(counts.values())
    return {key: round(count / total, 6) if total else 0.0 for key, count in counts.items()}


def topic_of(text: str) -> list[str]:
    """The demo topics whose query tokens ``text`` contains (a simple stand-in for search)."""
    return [topic for topic, pattern in _TOPIC_MATCH.items() if pattern.search(text)]


# ---------------------------------------------------------------------------------------
# Internals
# ---------------------------------------------------------------------------------------


def _epoch(value: str) -> float:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _weighted(pairs: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    items = [item for item, _ in pairs]
    cum: list[float] = []
    total = 0.0
    for _, weight in pairs:
        total += weight
        cum.append(total)
    return items, cum


_BRAND_KEYS, _BRAND_CUM = _weighted(_BRAND_WEIGHTS)


class _Author:
    __slots__ = ("first", "followers", "handle", "lang", "name", "platform")

    def __init__(
        self, handle: str, name: str, first: str, followers: int, lang: str, platform: str
    ) -> None:
        self.handle = handle
        self.name = name
        self.first = first
        self.followers = followers
        self.lang = lang
        self.platform = platform


class _Post:
    __slots__ = (
        "author",
        "hashtags",
        "id",
        "lang",
        "mentions",
        "n_replies",
        "n_reposts",
        "parent",
        "platform",
        "quiet",
        "quote_of",
        "repost_of",
        "root",
        "seq",
        "text",
        "ts",
    )

    def __init__(self, seq: int, ts: int, author: _Author, text: str, lang: str, platform: str):
        self.seq = seq
        self.ts = ts
        self.author = author
        self.text = text
        self.lang = lang
        self.platform = platform
        self.parent: _Post | None = None
        self.repost_of: _Post | None = None
        self.quote_of: _Post | None = None
        self.root: _Post = self
        self.mentions: list[str] = []
        self.hashtags: list[str] = []
        self.id = ""
        self.n_replies = 0
        self.n_reposts = 0
        self.quiet = False


class _Clock:
    """Random instants following a daily (weekday) and diurnal rhythm with noise."""

    def __init__(self, rng: Random, start_ts: int, weekday: int, days: int, noise: float):
        self.rng = rng
        self.start_ts = start_ts
        self.cum: list[float] = []
        total = 0.0
        for day in range(days):
            day_weight = _WEEKDAY_WEIGHTS[(weekday + day) % 7] * rng.uniform(1 - noise, 1 + noise)
            for hour_weight in _HOUR_WEIGHTS:
                total += day_weight * hour_weight
                self.cum.append(total)
        self.total = total

    def ts(self) -> int:
        slot = min(bisect(self.cum, self.rng.random() * self.total), len(self.cum) - 1)
        return self.start_ts + slot * 3600 + self.rng.randrange(3600)


class _Slots(dict):
    """Template slots filled on first use (``str.format_map`` calls ``__missing__``)."""

    def __init__(self, rng: Random, lang: str, fixed: Mapping[str, Any]) -> None:
        super().__init__(fixed)
        self.rng = rng
        self.lang = lang

    def __missing__(self, key: str) -> Any:
        rng = self.rng
        if key == "city":
            value: Any = rng.choice(_CITIES[self.lang])
        elif key == "city2":
            city = self["city"]
            value = city
            while value == city:
                value = rng.choice(_CITIES[self.lang])
        elif key == "airport":
            value = rng.choice(_AIRPORTS)
        elif key == "gate":
            value = f"{rng.choice('ABCDEF')}{rng.randint(1, 48)}"
        elif key == "seat":
            value = f"{rng.randint(3, 42)}{rng.choice('ABCDEF')}"
        elif key == "mins":
            value = rng.randint(15, 95)
        elif key in ("hours", "days"):
            value = rng.randint(3, 9)
        elif key == "weeks":
            value = rng.randint(3, 6)
        elif key == "n":
            value = rng.randint(3, 12)
        elif key == "nn":
            value = rng.randint(14, 96)
        elif key == "hour":
            value = rng.randint(5, 11)
        elif key == "price":
            value = rng.choice((49, 59, 79, 99, 129, 149, 199, 249))
        elif key == "month":
            value = rng.choice(_MONTHS[self.lang])
        elif key == "e":
            value = rng.choice(_GOOD)
        elif key == "bad":
            value = rng.choice(_BAD)
        elif key == "ref":
            value = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
        elif key == "flight":
            value = f"{rng.choice(('SJ', 'AX', 'GA'))} {rng.randint(100, 1999)}"
        elif key == "ag":
            value = rng.choice(_AGENTS)
        elif key in ("Kw", "kw"):
            brand = self.get("brand")
            if brand is None:
                brand = _BRAND_KEYS[bisect(_BRAND_CUM, rng.random() * _BRAND_CUM[-1])]
                self["brand"] = brand
            value = rng.choice(_BEHAVIOUR[brand]["variants"])
            self["Kw"] = self["kw"] = value
        elif key == "kw2":
            others = [brand for brand in _BEHAVIOUR if brand != self.get("brand")]
            value = rng.choice(_BEHAVIOUR[rng.choice(others)]["variants"])
        else:
            raise KeyError(key)
        self[key] = value
        return value


class _Builder:
    """One generation run: authors, then brand traffic, topics and chatter, then records."""

    def __init__(self, seed: int, posts: int, start: datetime, days: int) -> None:
        self.rng = Random(seed)
        self.seed = seed
        self.target = posts
        self.scale = posts / 20_000
        self.start = start
        self.days = days
        self.start_ts = int(start.timestamp())
        self.end_ts = self.start_ts + days * 86400
        self.spike_day = SPIKE_DAY if days >= 24 else days * SPIKE_DAY // 30
        weekday = start.weekday()
        self.clock = _Clock(self.rng, self.start_ts, weekday, days, 0.1)
        self.topic_clock = {
            topic: _Clock(self.rng, self.start_ts, weekday, days, 0.12) for topic in TOPICS
        }
        self.posts: list[_Post] = []
        self.reposted: set[tuple[int, int]] = set()
        self.brand_accounts: dict[str, _Author] = {}
        self.authors: list[_Author] = []
        self.influencers: dict[str, list[_Author]] = {}
        self.celebrities: dict[str, list[_Author]] = {}
        self.engagers: dict[str, set[str]] = {}

    # -- helpers ---------------------------------------------------------------------

    def n(self, base: float, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    def fill(self, templates: Mapping[str, Sequence[str]], lang: str, **fixed: Any) -> str:
        options = templates.get(lang) or templates["en"]
        if lang not in templates:
            lang = "en"
        return self.rng.choice(options).format_map(_Slots(self.rng, lang, fixed))

    def pick(self, cum: list[float], items: list[_Author]) -> _Author:
        return items[min(bisect(cum, self.rng.random() * cum[-1]), len(items) - 1)]

    def after(self, ts: int, median: float, sigma: float, limit: int | None = None) -> int | None:
        """An instant after ``ts`` (lognormal delay, at least 20 s) before ``limit``."""
        limit = self.end_ts if limit is None else limit
        delay = max(20, int(self.rng.lognormvariate(math.log(median), sigma)))
        if ts + delay < limit:
            return ts + delay
        span = limit - 1 - ts
        if span < 20:
            return None
        return ts + self.rng.randint(20, span)

    def add(
        self,
        ts: int,
        author: _Author,
        text: str,
        *,
        lang: str | None = None,
        platform: str | None = None,
        parent: _Post | None = None,
        quote_of: _Post | None = None,
    ) -> _Post:
        post = _Post(
            len(self.posts), ts, author, text, lang or author.lang, platform or author.platform
        )
        if parent is not None:
            post.parent = parent
            post.root = parent.root
            post.platform = parent.platform
            parent.n_replies += 1
        if quote_of is not None:
            post.quote_of = quote_of
            post.platform = quote_of.platform
        post.mentions = list(dict.fromkeys(_MENTION.findall(text)))
        post.hashtags = list(dict.fromkeys(_HASHTAG.findall(text)))
        self.posts.append(post)
        return post

    def repost(self, ts: int, author: _Author, original: _Post) -> _Post | None:
        key = (id(author), original.seq)
        if key in self.reposted or author is original.author:
            return None
        self.reposted.add(key)
        post = _Post(len(self.posts), ts, author, original.text, original.lang, original.platform)
        post.repost_of = original
        post.mentions = original.mentions
        post.hashtags = original.hashtags
        original.n_reposts += 1
        self.posts.append(post)
        return post

    def topic_text(self, topic: str, templates: Mapping[str, Sequence[str]], lang: str,
                   **fixed: Any) -> str:  # fmt: skip
        text = self.fill(templates, lang, **fixed)
        if not _TOPIC_MATCH[topic].search(text):
            text += " #baggage" if topic == "baggage" else " #delayed"
        return text

    def plain_text(self, templates: Mapping[str, Sequence[str]], lang: str, **fixed: Any) -> str:
        for _ in range(20):
            text = self.fill(templates, lang, **fixed)
            if not _NEAR_TOPIC.search(text):
                return text
        raise AssertionError(f"templates keep producing topic words: {text!r}")

    # -- the world -------------------------------------------------------------------

    def build(self) -> DemoWorld:
        self.make_authors()
        self.brand_traffic()
        self.topic_traffic()
        self.chatter(self.target - len(self.posts))
        records = self.finalize()
        expected = {
            "influencers": {
                topic: [
                    a.handle
                    for a in sorted(
                        accounts, key=lambda a: (-len(self.engagers[a.handle]), a.handle.lower())
                    )
                ]
                for topic, accounts in self.influencers.items()
            },
            "responsiveness": compute_responsiveness(records),
            "share_of_voice": compute_share_of_voice(records),
            "spikes": [
                {
                    "topic": "delays",
                    "day": (self.start + timedelta(days=self.spike_day)).date().isoformat(),
                }
            ],
            "celebrities": {
                topic: [a.handle for a in accounts] for topic, accounts in self.celebrities.items()
            },
        }
        return DemoWorld(records, expected, self.config_toml())

    def make_authors(self) -> None:
        rng = self.rng
        langs, lang_cum = _weighted(_LANGS)
        platforms, platform_cum = _weighted(_PLATFORMS)
        taken = {h.lower() for spec in BRANDS.values() for h in spec["handles"]}
        taken |= {handle.lower() for handle, _ in _CELEBRITIES}
        log_median = math.log(300)
        while len(self.authors) < self.n(_N_AUTHORS, 200):
            lang = langs[bisect(lang_cum, rng.random() * lang_cum[-1])]
            first = rng.choice(_FIRST[lang])
            last = rng.choice(_LAST[lang])
            handle = self._handle(first, last)
            if handle.lower() in taken or len(handle) > 15:
                continue
            taken.add(handle.lower())
            first_display = _DISPLAY.get(first, first.capitalize())
            last_display = _DISPLAY.get(last, last.capitalize())
            if lang == "ar" and rng.random() < 0.6:
                first_display = _ARABIC_SCRIPT.get(first, first_display)
                last_display = _ARABIC_SCRIPT.get(last, last_display)
            style = rng.random()
            if style < 0.45:
                name = f"{first_display} {last_display}"
            elif style < 0.6:
                name = first_display
            elif style < 0.75:
                name = f"{first_display} {rng.choice(_NAME_EMOJI)}"
            elif style < 0.88:
                name = f"{first_display} {last_display[0]}."
            else:
                name = f"{first_display} {last_display} | {rng.choice(_BIOS)}"
            followers = int(rng.lognormvariate(log_median, 1.25))
            followers = min(150_000, max(3, followers))
            platform = platforms[bisect(platform_cum, rng.random() * platform_cum[-1])]
            self.authors.append(_Author(handle, name, first_display, followers, lang, platform))
        for spec in _BEHAVIOUR.values():
            for handle, (name, followers) in spec["accounts"].items():
                self.brand_accounts[handle] = _Author(
                    handle, name, name, followers, "en", "twitter"
                )
        self.activity = [rng.lognormvariate(0, 1.0) for _ in self.authors]
        self.activity_cum = self._cum(self.activity)
        self.twitter_authors = [a for a in self.authors if a.platform == "twitter"]
        self.twitter_cum = self._cum(
            [w for a, w in zip(self.authors, self.activity, strict=True) if a.platform == "twitter"]
        )

    @staticmethod
    def _cum(weights: Iterable[float]) -> list[float]:
        cum: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            cum.append(total)
        return cum

    def _handle(self, first: str, last: str) -> str:
        rng = self.rng
        pattern = rng.randrange(11)
        if pattern == 0:
            return f"{first}_{rng.choice(_HANDLE_WORDS)}"
        if pattern == 1:
            return f"{first[0]}{last}{rng.randint(1, 99):02d}"
        if pattern == 2:
            return f"{first}{last}"
        if pattern == 3:
            return f"{first}_{last}"
        if pattern == 4:
            return f"{first}_{last[0]}{rng.randint(70, 99)}"
        if pattern == 5:
            return f"{first.capitalize()}{last.capitalize()}"
        if pattern == 6:
            return f"{first.capitalize()}{rng.choice(_HANDLE_WORDS).capitalize()}"
        if pattern == 7:
            return f"the{first}{last[0]}"
        if pattern == 8:
            return f"{last}_{first}"
        if pattern == 9:
            return f"{first}{rng.randint(1, 999)}"
        return f"{first}_{last}_{rng.randint(1975, 2004)}"

    def brand_traffic(self) -> None:
        rng = self.rng
        kinds, kind_cum = _weighted(_CUSTOMER_KINDS)
        for brand, spec in _BEHAVIOUR.items():
            # announcements, and ordinary twitter users reposting them
            for handle, count in spec["announcements"].items():
                account = self.brand_accounts[handle]
                for _ in range(self.n(count, 3)):
                    text = self.plain_text({"en": _ANNOUNCEMENTS[handle]}, "en")
                    post = self.add(self.clock.ts(), account, text, lang="en", platform="twitter")
                    for _ in range(self._poisson(spec["repost_mean"])):
                        ts = self.after(post.ts, 3600, 1.2)
                        if ts is not None:
                            self.repost(ts, self.pick(self.twitter_cum, self.twitter_authors), post)
            # customers @-mentioning the brand, and the brand's replies
            repliers, replier_cum = _weighted(spec["repliers"])
            mentioned, mentioned_cum = _weighted(spec["mentioned"])
            for _ in range(self.n(spec["customers"])):
                author = self.pick(self.twitter_cum, self.twitter_authors)
                kind = kinds[bisect(kind_cum, rng.random() * kind_cum[-1])]
                handle = mentioned[bisect(mentioned_cum, rng.random() * mentioned_cum[-1])]
                if rng.random() < 0.12:
                    handle = handle.lower()
                other = rng.choice(
                    [v for key, s in _BEHAVIOUR.items() if key != brand for v in s["variants"][:2]]
                )
                flight = f"{spec['flight']} {rng.randint(100, 1999)}"
                text = self.plain_text(
                    _CUSTOMER[kind], author.lang, h=handle, other=other, flight=flight
                )
                post = self.add(self.clock.ts(), author, text, platform="twitter")
                if rng.random() >= spec["rate"]:
                    continue
                delay = max(30, int(rng.lognormvariate(math.log(spec["median"]), spec["sigma"])))
                if post.ts + delay >= self.end_ts:
                    continue  # the answer would come after the window: it never happens
                replier = self.brand_accounts[
                    repliers[bisect(replier_cum, rng.random() * replier_cum[-1])]
                ]
                if author.lang == "en":
                    templates = _BRAND_REPLY[brand][kind]
                else:
                    templates = _BRAND_REPLY_LOCAL[kind]
                reply = self.plain_text(templates, author.lang, c=author.handle, first=author.first)
                self.add(post.ts + delay, replier, reply, lang=author.lang, parent=post)
            # people naming the brand without an @
            for _ in range(self.n(spec["keyword"])):
                author = self.pick(self.activity_cum, self.authors)
                word = rng.choice(spec["variants"])
                text = self.plain_text(_KEYWORD, author.lang, brand=brand, kw=word, Kw=word)
                self.add(self.clock.ts(), author, text)

    def _poisson(self, mean: float) -> int:
        limit = math.exp(-mean)
        count, product = 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    def topic_traffic(self) -> None:
        rng = self.rng
        # planted accounts first, so each topic's pool can leave out the other's
        candidates = rng.sample(self.authors, 6 + 6)
        planted = {"baggage": candidates[:3], "delays": candidates[3:6]}
        for accounts in planted.values():
            for account in accounts:
                account.followers = rng.randint(50, 400)
        celebrity_specs = rng.sample(_CELEBRITIES, 4)
        for i, topic in enumerate(TOPICS):
            celebrities = []
            for handle, name in celebrity_specs[2 * i : 2 * i + 2]:
                followers = int(math.exp(rng.uniform(math.log(200_000), math.log(2_000_000))))
                celebrities.append(_Author(handle, name, name, followers, "en", "twitter"))
            self.celebrities[topic] = celebrities
        self.influencers = planted
        all_planted = {id(a) for accounts in planted.values() for a in accounts}
        for topic in TOPICS:
            others = [a for a in self.authors if id(a) not in all_planted]
            pool = rng.sample(others, min(len(others), self.n(_TOPIC_POOL[topic], 30)))
            self.one_topic(topic, pool)

    def one_topic(self, topic: str, pool: list[_Author]) -> None:
        rng = self.rng
        clock = self.topic_clock[topic]
        start_count = len(self.posts)
        # ordinary topic posts, then sparse random interactions between their authors
        ordinary: list[_Post] = []
        for _ in range(self.n(_TOPIC_POSTS[topic], 20)):
            author = rng.choice(pool)
            text = self.topic_text(topic, _TOPIC_TEXT[topic], author.lang)
            ordinary.append(self.add(clock.ts(), author, text))
        for _ in range(round(len(ordinary) * _TOPIC_INTERACTION_SHARE)):
            self.random_interaction(topic, pool, ordinary)
        # planted influencers: few followers, many distinct engagers
        for influencer in self.influencers[topic]:
            own = []
            for _ in range(rng.randint(6, 10)):
                ts = clock.ts()
                while ts > self.end_ts - 2 * 86400:
                    ts = clock.ts()
                text = self.topic_text(topic, {"en": _INFLUENCER_TEXT[topic]}, "en")
                own.append(self.add(ts, influencer, text, lang="en"))
            count = rng.randint(40, 100)
            if self.scale < 1:
                count = max(8, round(count * self.scale))
            engagers = rng.sample(pool, min(len(pool), count))
            done: set[str] = set()
            for engager in engagers:
                for _ in range(1 + (rng.random() < 0.3)):
                    if self.engage(topic, engager, influencer, own):
                        done.add(engager.handle)
            self.engagers[influencer.handle] = done
        # celebrities: huge followings, topic posts nobody engages with
        for celebrity in self.celebrities[topic]:
            for _ in range(rng.randint(9, 11)):
                text = self.topic_text(topic, {"en": _CELEBRITY_TEXT[topic]}, "en")
                self.add(clock.ts(), celebrity, text, lang="en").quiet = True
        if topic == "delays":
            usual = (len(self.posts) - start_count) / self.days
            self.spike(pool, round(_SPIKE_FACTOR * usual))

    def random_interaction(self, topic: str, pool: list[_Author], targets: list[_Post]) -> None:
        rng = self.rng
        for _ in range(10):
            target = rng.choice(targets)
            author = rng.choice(pool)
            if author is target.author:
                continue
            roll = rng.random()
            if roll < 0.4:
                ts = self.after(target.ts, 2 * 3600, 1.2)
                if ts is None:
                    continue
                body = self.topic_text(topic, _TOPIC_REPLY[topic], author.lang)
                if author.lang != "en":
                    body = self.topic_text(topic, _TOPIC_TEXT[topic], author.lang)
                self.add(ts, author, f"@{target.author.handle} {body}", parent=target)
            elif roll < 0.7:
                ts = self.after(target.ts, 3 * 3600, 1.2)
                if ts is None or self.repost(ts, author, target) is None:
                    continue
            elif roll < 0.85:
                ts = self.after(target.ts, 5 * 3600, 1.2)
                if ts is None:
                    continue
                text = self.topic_text(topic, _TOPIC_QUOTE[topic], author.lang)
                if author.lang != "en":
                    text = self.topic_text(topic, _TOPIC_TEXT[topic], author.lang)
                self.add(ts, author, text, quote_of=target)
            else:
                friend = rng.choice(pool)
                if friend is author:
                    continue
                text = self.topic_text(topic, _TOPIC_TEXT[topic], author.lang)
                self.add(self.topic_clock[topic].ts(), author, f"{text} cc @{friend.handle}")
            return

    def engage(self, topic: str, engager: _Author, influencer: _Author, own: list[_Post]) -> bool:
        rng = self.rng
        for _ in range(10):
            target = rng.choice(own)
            roll = rng.random()
            if roll < 0.4:
                ts = self.after(target.ts, 3 * 3600, 1.3)
                if ts is None:
                    continue
                text = self.topic_text(
                    topic, _ENGAGE["reply"][topic], engager.lang, inf=influencer.handle
                )
                self.add(ts, engager, text, parent=target)
            elif roll < 0.65:
                ts = self.after(target.ts, 4 * 3600, 1.3)
                if ts is None or self.repost(ts, engager, target) is None:
                    continue
            elif roll < 0.8:
                ts = self.after(target.ts, 6 * 3600, 1.3)
                if ts is None:
                    continue
                text = self.topic_text(topic, _ENGAGE["quote"][topic], engager.lang)
                self.add(ts, engager, text, quote_of=target)
            else:
                ts = self.after(target.ts, 86400, 1.0)
                if ts is None:
                    continue
                text = self.topic_text(
                    topic, _ENGAGE["mention"][topic], engager.lang, inf=influencer.handle
                )
                self.add(ts, engager, text)
            return True
        return False

    def spike(self, pool: list[_Author], extra: int) -> None:
        rng = self.rng
        day_start = self.start_ts + self.spike_day * 86400
        day_end = day_start + 86400
        hour_cum = self._cum(_SPIKE_HOUR_WEIGHTS)
        hub, hub_city = rng.choice(_STORM_HUBS)

        def spike_ts() -> int:
            hour = min(bisect(hour_cum, rng.random() * hour_cum[-1]), 23)
            return day_start + hour * 3600 + rng.randrange(3600)

        made = 0
        storm_authors = rng.sample(pool, 5)
        for author in storm_authors:
            live = []
            for _ in range(max(3, round(rng.randint(14, 24) * min(1.0, self.scale * 2)))):
                text = self.topic_text(
                    "delays", {"en": _STORM_LIVE}, "en", hub=hub, hub_city=hub_city
                )
                live.append(self.add(spike_ts(), author, text, lang="en"))
                made += 1
            for _ in range(max(1, round(rng.randint(2, 6) * min(1.0, self.scale * 2)))):
                target = rng.choice(live)
                ts = self.after(target.ts, 1800, 1.0, limit=day_end)
                if ts is not None and self.repost(ts, rng.choice(pool), target) is not None:
                    made += 1
        while made < extra:
            author = rng.choice(pool) if rng.random() < 0.6 else rng.choice(self.authors)
            text = self.topic_text("delays", _SPIKE_TEXT, author.lang, hub=hub, hub_city=hub_city)
            self.add(spike_ts(), author, text)
            made += 1

    def chatter(self, count: int) -> None:
        if count <= 0:
            return
        rng = self.rng
        n_top = round(count * 0.68)
        n_replies = round(count * 0.17)
        n_quotes = round(count * 0.04)
        friends_cum, friends = self.activity_cum, self.authors
        tops: list[_Post] = []
        for _ in range(n_top):
            author = self.pick(self.activity_cum, self.authors)
            if rng.random() < 0.07:
                friend = self.pick(friends_cum, friends)
                if friend is author:
                    continue
                text = self.plain_text(_CHATTER_FRIEND, author.lang, friend=friend.handle)
            else:
                text = self.plain_text(_CHATTER, author.lang)
                if author.lang == "en" and rng.random() < 0.06:
                    text += " " + rng.choice(("#travel", "#wanderlust", "#avgeek", "#TravelTips"))
            tops.append(self.add(self.clock.ts(), author, text))
        target_cum = self._cum(math.sqrt(p.author.followers) + 5 for p in tops)
        replies: list[_Post] = []
        while len(replies) < n_replies:
            if replies and rng.random() < 0.25:
                target = rng.choice(replies)
            else:
                target = tops[min(bisect(target_cum, rng.random() * target_cum[-1]), len(tops) - 1)]
            author = self.pick(self.activity_cum, self.authors)
            ts = self.after(target.ts, 40 * 60, 1.2)
            if author is target.author or ts is None:
                continue
            body = self.plain_text(_CHATTER_REPLY, author.lang)
            replies.append(self.add(ts, author, f"@{target.author.handle} {body}", parent=target))
        quotes = 0
        while quotes < n_quotes:
            target = tops[min(bisect(target_cum, rng.random() * target_cum[-1]), len(tops) - 1)]
            author = self.pick(self.activity_cum, self.authors)
            ts = self.after(target.ts, 3 * 3600, 1.2)
            if author is target.author or ts is None:
                continue
            self.add(ts, author, self.plain_text(_CHATTER_QUOTE, author.lang), quote_of=target)
            quotes += 1
        while len(self.posts) < self.target:
            target = tops[min(bisect(target_cum, rng.random() * target_cum[-1]), len(tops) - 1)]
            author = self.pick(self.activity_cum, self.authors)
            ts = self.after(target.ts, 2 * 3600, 1.3)
            if ts is not None:
                self.repost(ts, author, target)

    def finalize(self) -> list[dict[str, Any]]:
        rng = self.rng
        posts = sorted(self.posts, key=lambda p: (p.ts, p.seq))
        i = 0
        while i < len(posts):
            j = i
            ts = posts[i].ts
            while j < len(posts) and posts[j].ts == ts:
                j += 1
            if j - i > 1000:
                raise ValueError("more than 1000 posts in one second: use fewer posts or more days")
            offsets = (
                [rng.randrange(1000)] if j - i == 1 else sorted(rng.sample(range(1000), j - i))
            )
            for post, offset in zip(posts[i:j], offsets, strict=True):
                snowflake = ((ts * 1000 + offset - _TWITTER_EPOCH_MS) << 22) | rng.getrandbits(22)
                post.id = str(snowflake)
            i = j
        records = []
        for post in posts:
            author = post.author
            record: dict[str, Any] = {
                "id": post.id,
                "platform": post.platform,
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(post.ts)),
                "author": author.handle,
                "author_name": author.name,
                "author_followers": author.followers,
                "text": post.text,
                "url": self._url(post),
            }
            if rng.random() < _LANG_TAGGED:
                record["lang"] = post.lang
            if post.repost_of is not None:
                record["repost_of_id"] = post.repost_of.id
                record["repost_of_author"] = post.repost_of.author.handle
            else:
                record["conversation_id"] = post.root.id
            if post.parent is not None:
                record["reply_to_id"] = post.parent.id
                record["reply_to_author"] = post.parent.author.handle
            if post.quote_of is not None:
                record["quote_of_id"] = post.quote_of.id
                record["quote_of_author"] = post.quote_of.author.handle
            if post.mentions:
                record["mentions"] = list(post.mentions)
            if post.hashtags:
                record["hashtags"] = list(post.hashtags)
            if post.repost_of is None:
                record.update(self._engagement(post))
            records.append(record)
        return records

    def _engagement(self, post: _Post) -> dict[str, int]:
        rng = self.rng
        followers = post.author.followers
        if post.author.handle in self.brand_accounts and post.parent is not None:
            base = 0.4
        else:
            base = 0.05 * followers**0.6
        replies, reposts = post.n_replies, post.n_reposts
        if not post.quiet and post.author.handle not in self.brand_accounts:
            if rng.random() < 0.12:
                replies += rng.randint(1, 3)
            reposts += int(base * 0.15 * rng.lognormvariate(0, 1.0))
        likes = int(base * rng.lognormvariate(0, 1.0)) + 2 * post.n_reposts + post.n_replies
        return {"likes": likes, "reposts": reposts, "replies": replies}

    @staticmethod
    def _url(post: _Post) -> str:
        handle = post.author.handle
        if post.platform == "mastodon":
            return f"https://mastodon.social/@{handle}/{post.id}"
        if post.platform == "bluesky":
            return f"https://bsky.app/profile/{handle.lower()}.bsky.social/post/{post.id}"
        return f"https://twitter.com/{handle}/status/{post.id}"

    def config_toml(self) -> str:
        lines = [
            "# hubbub.toml for the hubbub demo world: three airlines and two topics.",
            f"# Generated by hubbub.demo.generate(seed={self.seed}, posts={self.target}) for the",
            f"# {self.days} days from {self.start:%Y-%m-%d} (UTC); the same arguments always give",
            "# the same file, posts and expected answers.",
            "",
            "[project]",
            'name = "SkyJet demo"',
            "# Where hubbub stores posts and results, relative to this file.",
            'database = "sqlite:///hubbub.db"',
            "# The time zone of daily counts and report dates.",
            'timezone = "UTC"',
            "",
            "# Tracked brands. handles: the brand's own accounts (without @, any case);",
            "# keywords: whole words counted as mentions for share of voice;",
            "# reply_target: the first-response time the brand aims for.",
        ]
        comments = {
            "skyjet": "# SkyJet, with its customer-care account SkyJetHelp.",
            "aerolux": "# AeroLux, a competitor.",
            "globair": "# GlobAir, a competitor.",
        }
        for key, spec in BRANDS.items():
            handles = ", ".join(f'"{h}"' for h in spec["handles"])
            keywords = ", ".join(f'"{k}"' for k in spec["keywords"])
            lines += [
                "",
                comments[key],
                f"[brands.{key}]",
                f"handles = [{handles}]",
                f"keywords = [{keywords}]",
                f'reply_target = "{spec["reply_target"]}"',
            ]
        lines += ["", "# Topics: name = a Lucene-syntax query over post text.", "[topics]"]
        lines += [f"{topic} = '{query}'" for topic, query in TOPICS.items()]
        return "\n".join(lines) + "\n"
