"""The people of the demo: teams, agents, sellers' companies and customers.

Every name, address and number is invented. E-mail domains end in ``.example``
(reserved, RFC 2606) and phone numbers use the 000 block, so a worker that ever
tried to deliver a demo reply would reach nobody.
"""

from __future__ import annotations

from otklik.core.taxonomy import Category, IdentityKind
from otklik.demo.spec import AgentSpec, CustomerSpec, IdentitySpec, OrganisationSpec

DEMO_PASSWORD = "otklik-demo"  # noqa: S105  (published on purpose: demo accounts only)

TEAMS = ("FBO", "FBS", "Карточки", "Финансы", "Покупатели")

AGENTS = (
    AgentSpec("olga", "Ольга Зимина", "olga.zimina@otklik.example", "admin", skills=((Category.OTHER, 2),)),
    AgentSpec(
        "boris",
        "Борис Ковалёв",
        "boris.kovalev@otklik.example",
        "lead",
        teams=("FBO", "FBS"),
        skills=((Category.SHIPPING, 3), (Category.TECHNICAL, 2), (Category.OTHER, 2)),
    ),
    AgentSpec(
        "tatiana",
        "Татьяна Рябова",
        "tatiana.ryabova@otklik.example",
        "lead",
        teams=("Карточки", "Финансы", "Покупатели"),
        skills=((Category.FINANCE, 3), (Category.RETURNS, 2), (Category.ACCOUNT, 2)),
    ),
    AgentSpec(
        "marina",
        "Марина Соколова",
        "marina.sokolova@otklik.example",
        "agent",
        teams=("FBO",),
        skills=((Category.SHIPPING, 3),),
        shift=("09:00", "18:00"),
    ),
    AgentSpec(
        "artem",
        "Артём Никитин",
        "artem.nikitin@otklik.example",
        "agent",
        teams=("FBS",),
        skills=((Category.SHIPPING, 2), (Category.TECHNICAL, 2)),
        shift=("09:00", "18:00"),
    ),
    AgentSpec(
        "irina",
        "Ирина Полякова",
        "irina.polyakova@otklik.example",
        "agent",
        teams=("Финансы",),
        skills=((Category.FINANCE, 3),),
        shift=("09:00", "18:00"),
    ),
    AgentSpec(
        "yulia",
        "Юлия Карпова",
        "yulia.karpova@otklik.example",
        "agent",
        teams=("Карточки",),
        skills=((Category.PRODUCT_CARDS, 3), (Category.TECHNICAL, 1)),
        shift=("09:00", "18:00"),
    ),
    AgentSpec(
        "alina",
        "Алина Гарипова",
        "alina.garipova@otklik.example",
        "agent",
        teams=("Покупатели",),
        skills=((Category.ORDERS, 3), (Category.RETURNS, 2)),
        shift=("09:00", "21:00"),
    ),
    AgentSpec(
        "nikita",
        "Никита Орехов",
        "nikita.orekhov@otklik.example",
        "agent",
        teams=("Покупатели",),
        skills=((Category.ACCOUNT, 3), (Category.RETURNS, 2), (Category.ORDERS, 1)),
        capacity=6,
        shift=("10:00", "18:00"),  # works the WhatsApp chats (demo/traffic.py)
    ),
)

ORGANISATIONS = (
    OrganisationSpec("lavka", "ООО «Северная лавка»", "priority"),
    OrganisationSpec("technomir", "ООО «ТехноМир»", "priority"),
    OrganisationSpec("textile", "ООО «Текстиль-Дом»", "standard"),
    OrganisationSpec("kravtsova", "ИП Кравцова С. А.", "standard"),
    OrganisationSpec("galiev", "ИП Галиев Р. Ф.", "standard"),
)


def _ids(*items: tuple[IdentityKind, str, bool]) -> tuple[IdentitySpec, ...]:
    return tuple(IdentitySpec(kind, value, verified) for kind, value, verified in items)


CUSTOMERS = (
    # sellers and their employees
    CustomerSpec(
        "ekaterina",
        "Екатерина Мельникова",
        _ids(
            (IdentityKind.EMAIL, "e.melnikova@severnaya-lavka.example", True),
            (IdentityKind.PHONE, "+7 900 000-14-25", True),
            (IdentityKind.TELEGRAM, "@kate_melnikova", False),
            (IdentityKind.WHATSAPP, "+7 900 000-14-25", False),
        ),
        organisation="lavka",
        org_admin=True,
    ),
    CustomerSpec(
        "ilya",
        "Илья Воронцов",
        _ids((IdentityKind.TELEGRAM, "@ilya_vorontsov", False), (IdentityKind.PHONE, "8 900 000-20-41", True)),
        organisation="lavka",
    ),
    CustomerSpec(
        "svetlana",
        "Светлана Кравцова",
        _ids(
            (IdentityKind.EMAIL, "svetlana@kravtsova-shop.example", True),
            (IdentityKind.PHONE, "+7 900 000-31-12", True),
            (IdentityKind.TELEGRAM, "@svetlana_kravtsova", False),
            (IdentityKind.VK, "kravtsova.sveta", False),
            (IdentityKind.PUBLIC_HANDLE, "vc.example/u/kravtsova", False),
        ),
        organisation="kravtsova",
        org_admin=True,
    ),
    CustomerSpec(
        "natalia",
        "Наталья Гусева",
        _ids(
            (IdentityKind.EMAIL, "n.guseva@textile-dom.example", True),
            (IdentityKind.WHATSAPP, "+7 900 000-52-08", False),
        ),
        organisation="textile",
        org_admin=True,
    ),
    CustomerSpec(
        "dmitry",
        "Дмитрий Лебедев",
        _ids(
            (IdentityKind.EMAIL, "d.lebedev@textile-dom.example", True),
            (IdentityKind.VK, "d.lebedev_textile", False),
            (IdentityKind.PHONE, "+7 900 000-52-19", True),
        ),
        organisation="textile",
    ),
    CustomerSpec(
        "timur",
        "Тимур Хасанов",
        _ids((IdentityKind.EMAIL, "t.khasanov@technomir.example", True), (IdentityKind.TELEGRAM, "@timur_dev", False)),
        organisation="technomir",
    ),
    CustomerSpec(
        "rinat",
        "Ринат Галиев",
        _ids((IdentityKind.WEB, "seller:118804", True), (IdentityKind.EMAIL, "rinat@galiev-shop.example", True)),
        organisation="galiev",
        org_admin=True,
    ),
    # buyers known from earlier orders
    CustomerSpec(
        "anna",
        "Анна Белова",
        _ids((IdentityKind.EMAIL, "anna.belova@mail.example", True), (IdentityKind.PHONE, "+7 900 000-67-33", True)),
    ),
    CustomerSpec(
        "sergey",
        "Сергей Панин",
        _ids((IdentityKind.EMAIL, "s.panin@mail.example", True), (IdentityKind.PHONE, "+7 900 000-71-90", True)),
    ),
    CustomerSpec(
        "viktor",
        "Виктор Орлов",
        _ids((IdentityKind.WHATSAPP, "+7 900 000-83-05", False), (IdentityKind.PHONE, "+7 900 000-83-05", True)),
    ),
    CustomerSpec(
        "georgy",
        "Георгий Данилов",
        _ids((IdentityKind.WEB, "buyer:5562140", True), (IdentityKind.EMAIL, "g.danilov@mail.example", True)),
    ),
    CustomerSpec("ksenia", "Ксения Зайцева", _ids((IdentityKind.EMAIL, "ksenia.z@mail.example", True))),
    # people the desk meets for the first time: intake creates them from one unverified address
    CustomerSpec(
        "kirill",
        "Кирилл Зуев",
        _ids((IdentityKind.PUBLIC_HANDLE, "facebook.example/kirill.zuev", False)),
        first_contact=True,
    ),
    CustomerSpec("elena", "Елена Смирнова", _ids((IdentityKind.VK, "elena.smirnova_msk", False)), first_contact=True),
    CustomerSpec(
        "lyudmila", "Людмила Ким", _ids((IdentityKind.WHATSAPP, "+7 900 000-90-14", False)), first_contact=True
    ),
    CustomerSpec("vera", "Вера Лосева", _ids((IdentityKind.WHATSAPP, "+7 900 000-90-27", False)), first_contact=True),
    CustomerSpec(
        "zhanna", "Жанна Кузнецова", _ids((IdentityKind.WHATSAPP, "+7 900 000-90-36", False)), first_contact=True
    ),
    CustomerSpec("alexey", "Алексей К.", _ids((IdentityKind.TELEGRAM, "@alexey_k_88", False)), first_contact=True),
    CustomerSpec(
        "oleg", "Олег Сафонов", _ids((IdentityKind.EMAIL, "oleg.safonov@mail.example", False)), first_contact=True
    ),
    CustomerSpec(
        "igor", "Игорь М.", _ids((IdentityKind.PUBLIC_HANDLE, "otzovik.example/igor_m", False)), first_contact=True
    ),
    CustomerSpec("maria", "Мария Титова", _ids((IdentityKind.WEB, "buyer:6021377", False)), first_contact=True),
)
