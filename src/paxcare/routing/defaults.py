"""The default care organisation: five departments and who owns which category."""

DEPARTMENTS: list[tuple[str, str, str]] = [
    ("disruption-care", "航班不正常服务部", "Flight disruption care"),
    ("baggage", "行李服务部", "Baggage services"),
    ("ticketing", "票务与退款部", "Ticketing and refunds"),
    ("service-quality", "服务质量部", "Service quality"),
    ("customer-relations", "客户关系部", "Customer relations"),
]

# Category code prefix or exact code -> department code. Exact codes win over prefixes.
ROUTES: dict[str, str] = {
    "flight.": "disruption-care",
    "baggage.": "baggage",
    "service.lost_and_found": "baggage",
    "ticketing.": "ticketing",
    "service.": "service-quality",
    "airport.": "service-quality",
    "airport.info": "customer-relations",
    "loyalty.": "customer-relations",
    "other": "customer-relations",
}


def department_for_code(category_code: str) -> str:
    if category_code in ROUTES:
        return ROUTES[category_code]
    prefix = category_code.split(".")[0] + "."
    return ROUTES.get(prefix, "customer-relations")


def install_departments() -> None:
    """Create missing departments and routes; keep what administrators changed."""
    from paxcare.routing.models import CategoryRoute, Department
    from paxcare.sla.models import BusinessCalendar
    from paxcare.triage.models import Category

    calendar = BusinessCalendar.objects.filter(code="cn-office").first()
    for code, zh, en in DEPARTMENTS:
        Department.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "calendar": calendar}
        )
    departments = {d.code: d for d in Department.objects.all()}
    routed = set(CategoryRoute.objects.values_list("category_id", flat=True))
    CategoryRoute.objects.bulk_create(
        [
            CategoryRoute(
                category=category,
                department=departments[department_for_code(category.code)],
            )
            for category in Category.objects.exclude(pk__in=routed)
            if department_for_code(category.code) in departments
        ]
    )
