"""The default category taxonomy (codes are stable; names are what people see)."""

TAXONOMY: list[tuple[str, str, str]] = [
    ("flight.delay", "航班延误", "flight delay"),
    ("flight.cancellation", "航班取消", "flight cancellation"),
    ("flight.diversion", "航班备降/返航", "diversion or return"),
    ("flight.denied_boarding", "拒绝登机/超售", "denied boarding, overbooking"),
    ("flight.schedule_change", "航班计划变更", "schedule change"),
    ("flight.missed_connection", "错过中转", "missed connection"),
    ("baggage.delayed", "行李延误", "delayed baggage"),
    ("baggage.lost", "行李丢失", "lost baggage"),
    ("baggage.damaged", "行李破损", "damaged baggage"),
    ("baggage.pilferage", "行李内物短少", "items missing from baggage"),
    ("baggage.allowance", "行李额度与托运规定", "baggage allowance and rules"),
    ("baggage.pets", "宠物与动物运输", "pets and animals"),
    ("ticketing.refund", "退票退款", "refund"),
    ("ticketing.change", "改签", "ticket change, rebooking"),
    ("ticketing.booking", "订座出票", "booking and ticketing"),
    ("ticketing.fees", "票价与收费", "fares and fees"),
    ("ticketing.upgrade", "升舱与选座", "upgrades and seat selection"),
    ("ticketing.documents", "发票与行程单", "invoices and itinerary receipts"),
    ("airport.check_in", "值机与登机", "check-in, boarding passes, boarding"),
    ("airport.security", "安检规定", "security rules"),
    (
        "airport.info",
        "机场与中转信息",
        "terminals, transfers, parking, airport contacts",
    ),
    ("service.customer_service", "客服服务", "contact centre, hold times, replies"),
    ("service.cabin_crew", "客舱服务", "cabin crew"),
    ("service.ground_staff", "地面服务", "airport and ground staff"),
    ("service.queues", "排队等候", "queues and waiting at the airport"),
    (
        "service.onboard_product",
        "机上产品",
        "seat comfort, meals, entertainment, wi-fi",
    ),
    ("service.accessibility", "特殊旅客服务", "special assistance"),
    ("service.lost_and_found", "失物招领", "items left on board or at the airport"),
    ("loyalty.miles", "常旅客与里程", "frequent flyer programme, miles"),
    ("other", "其他", "other"),
]

FALLBACK_CATEGORY = "other"


def install_taxonomy() -> None:
    """Create the default categories that do not exist yet; never overwrite edits."""
    from paxcare.triage.models import Category

    existing = set(Category.objects.values_list("code", flat=True))
    Category.objects.bulk_create(
        [
            Category(code=code, name_zh=zh, name_en=en, position=index)
            for index, (code, zh, en) in enumerate(TAXONOMY)
            if code not in existing
        ]
    )
