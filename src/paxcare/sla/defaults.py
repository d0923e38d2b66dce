"""Default calendars and SLA policies: 24-hour first response, resolution by topic."""

WORKING_DAY = [["09:00", "18:00"]]
WEEKDAYS_9_TO_6 = {str(day): WORKING_DAY for day in range(1, 6)}

CALENDARS = [
    # code, name, time zone, working hours, holiday country, always open
    (
        "cn-office",
        "China care office (Beijing time)",
        "Asia/Shanghai",
        WEEKDAYS_9_TO_6,
        "CN",
        False,
    ),
    ("around-the-clock", "Around the clock", "UTC", {}, "", True),
]

HOUR = 60
WORKING_DAY_MINUTES = 9 * HOUR

# name, Chinese name, category, kind, priority, first response, fr in working hours,
# resolution, resolution in working hours, rank
POLICIES = [
    (
        "Standard: first response in 24 hours, resolution in 10 working days",
        "标准：24 小时内首次响应，10 个工作日内解决",
        "",
        "",
        "",
        24 * HOUR,
        False,
        10 * WORKING_DAY_MINUTES,
        True,
        100,
    ),
    (
        "Urgent: first response in 2 hours",
        "紧急：2 小时内首次响应",
        "",
        "",
        "urgent",
        2 * HOUR,
        False,
        2 * WORKING_DAY_MINUTES,
        True,
        10,
    ),
    (
        "Flight disruption: resolution in 5 working days",
        "航班不正常：5 个工作日内解决",
        "flight.",
        "",
        "",
        24 * HOUR,
        False,
        5 * WORKING_DAY_MINUTES,
        True,
        50,
    ),
    (
        "Baggage: resolution in 21 days (the Montreal Convention's loss threshold)",
        "行李：21 天内解决（《蒙特利尔公约》认定行李丢失的期限）",
        "baggage.",
        "",
        "",
        24 * HOUR,
        False,
        21 * 24 * HOUR,
        False,
        50,
    ),
    (
        "Refunds: resolution in 7 working days",
        "退款：7 个工作日内解决",
        "ticketing.refund",
        "",
        "",
        24 * HOUR,
        False,
        7 * WORKING_DAY_MINUTES,
        True,
        40,
    ),
    (
        "Inquiries: resolution in 3 working days",
        "咨询：3 个工作日内解决",
        "",
        "inquiry",
        "",
        24 * HOUR,
        False,
        3 * WORKING_DAY_MINUTES,
        True,
        60,
    ),
]


def install_sla_defaults() -> None:
    """Create missing calendars and, on an empty table only, the default policies."""
    from paxcare.sla.models import BusinessCalendar, SlaPolicy

    for code, name, zone, hours, country, always_open in CALENDARS:
        BusinessCalendar.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "time_zone": zone,
                "working_hours": hours,
                "holiday_country": country,
                "always_open": always_open,
            },
        )
    if SlaPolicy.objects.exists():
        return
    SlaPolicy.objects.bulk_create(
        [
            SlaPolicy(
                name=name,
                name_zh=name_zh,
                category=category,
                kind=kind,
                priority=priority,
                first_response_minutes=first,
                first_response_business_hours=first_business,
                resolution_minutes=resolution,
                resolution_business_hours=resolution_business,
                rank=rank,
            )
            for (
                name,
                name_zh,
                category,
                kind,
                priority,
                first,
                first_business,
                resolution,
                resolution_business,
                rank,
            ) in POLICIES
        ]
    )
