"""The rule data remedies ships: playbooks, a goodwill policy, exchange rates.

Installed after every migrate when missing and never overwritten: a playbook when
its category has none, goodwill rules and exchange rates on empty tables only. From
then on they belong to the administrators. The goodwill amounts and the rates are
examples to replace with the airline's own policy and its finance department's rates.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

# code, English, Chinese, required, English guidance, Chinese guidance
Step = tuple[str, str, str, bool, str, str]

PIR = (
    "pir",
    "Property irregularity report (PIR) reference recorded",
    "已记录行李运输事故记录（PIR）编号",
    True,
    "The baggage file number the arrival station issued, e.g. PEKCA12345.",
    "到达站出具的行李事故编号，例如 PEKCA12345。",
)
FACTS = (
    "facts",
    "Flight facts recorded: schedule, actual times, cause",
    "已记录航班事实：计划时刻、实际时刻及原因",
    True,
    "Fill in the itinerary and the event in the remedies panel.",
    "在旅客权益面板中填写行程及事件。",
)
ENTITLEMENTS = (
    "entitlements",
    "Entitlements under every applicable regime reviewed",
    "已核对各适用规则下的旅客权益",
    True,
    "Compare the legal entitlements with the goodwill policy before offering.",
    "提出方案前，将法定权益与公司补偿政策进行比对。",
)
ANSWER = (
    "answer",
    "Answer with the decision and its legal basis sent to the passenger",
    "已向旅客答复处理结果及依据",
    True,
    "",
    "",
)
CARE = (
    "care_check",
    "Care given at the airport checked (meals, hotel, calls)",
    "已核查机场现场服务（餐食、住宿、通讯）",
    False,
    "Ask the station what was provided; reimburse reasonable costs against receipts.",
    "向航站核实现场提供的服务；凭票据报销合理费用。",
)

PLAYBOOKS: dict[str, tuple[str, str, list[Step]]] = {
    "baggage.lost": (
        "Lost bag",
        "行李丢失",
        [
            PIR,
            (
                "tracing",
                "Tracing started in the worldwide tracing system and followed daily",
                "已在全球行李查询系统中启动查询并每日跟进",
                True,
                "",
                "",
            ),
            (
                "interim_expenses",
                "Interim expenses for essentials offered against receipts",
                "已告知旅客可凭票据报销临时生活必需品费用",
                False,
                "",
                "",
            ),
            (
                "declared_lost",
                "Bag declared lost after 21 days of tracing",
                "查询满21天后宣布行李丢失",
                True,
                "The Montreal Convention (Art. 17(3)) lets the passenger treat a bag "
                "as lost 21 days after it should have arrived.",
                "依《蒙特利尔公约》第17条第3款，行李在应到达之日后21日仍未到达的，"
                "旅客可视为丢失。",
            ),
            (
                "claim_form",
                "Claim form and list of contents received",
                "已收到索赔申请表及行李物品清单",
                True,
                "",
                "",
            ),
            (
                "documents",
                "Documents checked: bag tag, boarding pass, receipts for the contents",
                "已核对证明材料：行李牌、登机牌及物品购买凭证",
                True,
                "",
                "",
            ),
            (
                "settlement",
                "Compensation calculated within the liability limit and offered",
                "已在责任限额内核算赔偿并提出方案",
                False,
                "",
                "",
            ),
        ],
    ),
    "baggage.delayed": (
        "Delayed bag",
        "行李延误",
        [
            PIR,
            (
                "tracing",
                "Bag traced and its forwarding arranged",
                "已查找行李并安排转运",
                True,
                "",
                "",
            ),
            (
                "interim_expenses",
                "Interim expenses for essentials offered against receipts",
                "已告知旅客可凭票据报销临时生活必需品费用",
                False,
                "",
                "",
            ),
            (
                "delivered",
                "Bag delivered to the passenger, or handled as lost after 21 days",
                "行李已送达旅客；满21天仍未找到的转为行李丢失处理",
                True,
                "",
                "",
            ),
        ],
    ),
    "baggage.damaged": (
        "Damaged bag",
        "行李破损",
        [
            (
                "pir",
                "Damage report (PIR) reference recorded",
                "已记录行李破损事故记录（PIR）编号",
                True,
                "",
                "",
            ),
            (
                "complaint_in_time",
                "Written complaint received within 7 days of receiving the bag",
                "已确认在收到行李后7日内收到书面异议",
                True,
                "The Montreal Convention (Art. 31(2)) sets the 7 days.",
                "《蒙特利尔公约》第31条第2款规定的7日时限。",
            ),
            (
                "photos",
                "Photos of the damage and the bag tag received",
                "已收到破损照片及行李牌",
                True,
                "",
                "",
            ),
            (
                "repair_quote",
                "Repair quote or proof of value received",
                "已收到维修报价或价值证明",
                False,
                "",
                "",
            ),
            (
                "settlement",
                "Repair, replacement or compensation offered",
                "已提出维修、更换或赔偿方案",
                False,
                "",
                "",
            ),
        ],
    ),
    "flight.delay": (
        "Flight delay",
        "航班延误",
        [
            FACTS,
            (
                "cause_verified",
                "Delay cause verified with operations control (delay code)",
                "已向运行控制部门核实延误原因（延误代码）",
                True,
                "",
                "",
            ),
            CARE,
            ENTITLEMENTS,
            ANSWER,
        ],
    ),
    "flight.cancellation": (
        "Flight cancellation",
        "航班取消",
        [
            FACTS,
            (
                "notice_verified",
                "When the passenger was told of the cancellation verified",
                "已核实通知旅客航班取消的时间",
                True,
                "",
                "",
            ),
            (
                "choice",
                "Passenger's choice of refund or rerouting recorded",
                "已记录旅客选择退票或改签",
                True,
                "",
                "",
            ),
            CARE,
            ENTITLEMENTS,
            ANSWER,
        ],
    ),
    "flight.denied_boarding": (
        "Denied boarding",
        "拒绝登机",
        [
            FACTS,
            (
                "volunteer",
                "Whether the passenger volunteered established",
                "已确认旅客是否自愿放弃座位",
                True,
                "",
                "",
            ),
            (
                "paid_on_the_day",
                "Compensation paid at the airport checked",
                "已核查机场是否当场支付补偿",
                False,
                "",
                "",
            ),
            ENTITLEMENTS,
            ANSWER,
        ],
    ),
    "ticketing.refund": (
        "Refund",
        "退票退款",
        [
            (
                "ticket_checked",
                "Ticket and fare rules checked (unused coupons, refundability)",
                "已核查客票及票价规则（未使用航段、可退性）",
                True,
                "",
                "",
            ),
            (
                "involuntary",
                "Voluntary or involuntary refund established",
                "已确定属于自愿退票还是非自愿退票",
                True,
                "",
                "",
            ),
            (
                "amount",
                "Refund amount and fees calculated",
                "已核算退款金额及手续费",
                True,
                "",
                "",
            ),
            (
                "issued",
                "Refund issued to the original form of payment",
                "已按原支付方式退款",
                True,
                "China's rules (CCAR-273) give 7 working days for a refund.",
                "依《公共航空运输旅客服务管理规定》，退款应在7个工作日内办结。",
            ),
            ANSWER,
        ],
    ),
}

POLICY_START = date(2025, 1, 1)

# event, from minutes, below minutes, cabin, kind, amount, currency, miles,
# English note, Chinese note
GOODWILL: list[tuple] = [
    ("delay", 120, 240, "", "voucher", "200", "CNY", None,
     "Travel voucher, valid 12 months.", "旅行代金券，有效期12个月。"),
    ("delay", 240, 480, "economy", "voucher", "400", "CNY", None,
     "Travel voucher, valid 12 months.", "旅行代金券，有效期12个月。"),
    ("delay", 240, 480, "business", "miles", None, "", 8000,
     "Credited to the frequent flyer account.", "存入常旅客账户。"),
    ("delay", 480, None, "economy", "voucher", "800", "CNY", None,
     "Travel voucher, valid 12 months.", "旅行代金券，有效期12个月。"),
    ("delay", 480, None, "business", "miles", None, "", 15000,
     "Credited to the frequent flyer account.", "存入常旅客账户。"),
    ("cancellation", 0, None, "", "voucher", "300", "CNY", None,
     "Travel voucher, valid 12 months.", "旅行代金券，有效期12个月。"),
    ("denied_boarding", 0, None, "", "miles", None, "", 5000,
     "Credited to the frequent flyer account.", "存入常旅客账户。"),
    ("baggage_delay", 1440, None, "", "voucher", "200", "CNY", None,
     "For a bag delivered a day or more late.", "行李延误一天及以上时提供。"),
    ("baggage_damage", 0, None, "", "voucher", "150", "CNY", None,
     "In addition to the repair or the compensation.", "在维修或赔偿之外提供。"),
]  # fmt: skip

RATES_START = date(2025, 1, 1)
# One unit of the currency in Chinese yuan.
RATES_TO_CNY = {
    "USD": "7.20",
    "EUR": "7.80",
    "GBP": "9.20",
    "CAD": "5.20",
    "XDR": "9.60",
    "HKD": "0.92",
    "JPY": "0.048",
}


def install_remedies_defaults() -> None:
    """Create missing playbooks, and goodwill rules and rates on empty tables."""
    install_playbooks()
    install_goodwill()
    install_rates()


def install_playbooks() -> None:
    from paxcare.remedies.models import Playbook, PlaybookStep
    from paxcare.triage.models import Category

    categories = {c.code: c for c in Category.objects.filter(code__in=PLAYBOOKS)}
    have = set(Playbook.objects.values_list("category__code", flat=True))
    for code, (name_en, name_zh, steps) in PLAYBOOKS.items():
        if code in have or code not in categories:
            continue
        playbook = Playbook.objects.create(
            category=categories[code], name_en=name_en, name_zh=name_zh
        )
        PlaybookStep.objects.bulk_create(
            PlaybookStep(
                playbook=playbook,
                position=index,
                code=step[0],
                title_en=step[1],
                title_zh=step[2],
                required=step[3],
                help_en=step[4],
                help_zh=step[5],
            )
            for index, step in enumerate(steps, start=1)
        )


def install_goodwill() -> None:
    from paxcare.remedies.models import GoodwillRule

    if GoodwillRule.objects.exists():
        return
    GoodwillRule.objects.bulk_create(_goodwill_rule(row) for row in GOODWILL)


def _goodwill_rule(row: tuple):
    from paxcare.remedies.models import GoodwillRule

    event, low, high, cabin, kind, amount, currency, miles, note_en, note_zh = row
    return GoodwillRule(
        event_type=event,
        min_delay_minutes=low,
        max_delay_minutes=high,
        cabin=cabin,
        kind=kind,
        amount=Decimal(amount) if amount else None,
        currency=currency,
        miles=miles,
        note_en=note_en,
        note_zh=note_zh,
        effective_from=POLICY_START,
    )


def install_rates() -> None:
    from paxcare.remedies.models import ExchangeRate

    if ExchangeRate.objects.exists():
        return
    ExchangeRate.objects.bulk_create(
        ExchangeRate(
            base=code, quote="CNY", rate=Decimal(rate), effective_from=RATES_START
        )
        for code, rate in RATES_TO_CNY.items()
    )
