"""What remedies keeps in the database: rule data administrators edit, a case's facts,
its playbook ticks, and the offers and ledger of what the airline owes and pays.

Rule data (carriers, goodwill rules, playbooks, exchange rates) carries effective
dates or is installed once and then belongs to the administrators; the engine's own
regime rules stay in versioned JSON files (``rules/``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _in_language(en: str, zh: str) -> str:
    return zh if (get_language() or "").startswith("zh") else en


# --- Choices ----------------------------------------------------------------------


class EventKind(models.TextChoices):
    """What went wrong; the values are the engine's event types."""

    DELAY = "delay", _("delay")
    CANCELLATION = "cancellation", _("cancellation")
    DENIED_BOARDING = "denied_boarding", _("denied boarding")
    DOWNGRADE = "downgrade", _("downgrade")
    BAGGAGE_DELAY = "baggage_delay", _("delayed bag")
    BAGGAGE_LOSS = "baggage_loss", _("lost bag")
    BAGGAGE_DAMAGE = "baggage_damage", _("damaged bag")


class CauseKind(models.TextChoices):
    """Why it went wrong; the values are the engine's causes."""

    TECHNICAL = "technical", _("technical fault")
    CREW_SHORTAGE = "crew_shortage", _("crew shortage")
    OWN_STAFF_STRIKE = "own_staff_strike", _("strike of the carrier's own staff")
    OTHER_CONTROLLABLE = (
        "other_controllable",
        _("other reason within the carrier's control"),
    )
    SAFETY_REQUIRED_CONTROLLABLE = (
        "safety_required_controllable",
        _("within the carrier's control, required for safety"),
    )
    WEATHER = "weather", _("weather")
    AIR_TRAFFIC_CONTROL = "air_traffic_control", _("air traffic control")
    AIRPORT_CLOSURE = "airport_closure", _("airport closure")
    SECURITY = "security", _("security risk")
    POLITICAL_INSTABILITY = "political_instability", _("political instability")
    MEDICAL_EMERGENCY = "medical_emergency", _("medical emergency")
    BIRD_STRIKE = "bird_strike", _("bird strike")
    THIRD_PARTY_STRIKE = "third_party_strike", _("strike of third parties")


class Cabin(models.TextChoices):
    ECONOMY = "economy", _("economy")
    PREMIUM_ECONOMY = "premium_economy", _("premium economy")
    BUSINESS = "business", _("business")
    FIRST = "first", _("first")


class ApprSize(models.TextChoices):
    LARGE = "large", _("large")
    SMALL = "small", _("small")


class OfferKind(models.TextChoices):
    COMPENSATION = "compensation", _("cash compensation")
    REFUND = "refund", _("refund")
    VOUCHER = "voucher", _("voucher")
    MILES = "miles", _("miles")
    REBOOKING = "rebooking", _("rebooking")
    REIMBURSEMENT = "reimbursement", _("reimbursement of expenses")


class ExpenseKind(models.TextChoices):
    HOTEL = "hotel", _("hotel")
    MEALS = "meals", _("meals")
    TRANSPORT = "transport", _("transport")


class OfferState(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    APPROVED = "approved", _("approved")
    ACCEPTED = "accepted", _("accepted")
    PAID = "paid", _("paid")
    DECLINED = "declined", _("declined")
    EXPIRED = "expired", _("expired")


# --- Rule data --------------------------------------------------------------------


class Carrier(models.Model):
    """A carrier of the registry: adds to or overrides ``reference/carriers.json``."""

    code = models.CharField(_("IATA code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    country = models.CharField(_("country of licence"), max_length=2)
    appr_size = models.CharField(
        _("size under Canada's APPR"),
        max_length=5,
        choices=ApprSize.choices,
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class GoodwillRule(models.Model):
    """What the airline adds of its own accord, by event, delay band and cabin."""

    event_type = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    min_delay_minutes = models.PositiveIntegerField(
        _("from delay (minutes)"), default=0
    )
    max_delay_minutes = models.PositiveIntegerField(
        _("below delay (minutes)"), null=True, blank=True
    )
    cabin = models.CharField(
        _("cabin"), max_length=20, choices=Cabin.choices, blank=True
    )
    kind = models.CharField(_("remedy"), max_length=20, choices=OfferKind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    miles = models.PositiveIntegerField(_("miles"), null=True, blank=True)
    note_en = models.CharField(_("English note"), max_length=300, blank=True)
    note_zh = models.CharField(_("Chinese note"), max_length=300, blank=True)
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["event_type", "min_delay_minutes", "cabin", "effective_from"]
        verbose_name = _("goodwill rule")
        verbose_name_plural = _("goodwill rules")

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} ≥ {self.min_delay_minutes} min"

    @property
    def note(self) -> str:
        return _in_language(self.note_en, self.note_zh)


class ExchangeRate(models.Model):
    """One unit of ``base`` is worth ``rate`` units of ``quote`` from a date on."""

    base = models.CharField(_("from currency"), max_length=3)
    quote = models.CharField(_("to currency"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8)
    effective_from = models.DateField(_("in force from"))

    class Meta:
        ordering = ["base", "quote", "-effective_from"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(
                fields=["base", "quote", "effective_from"],
                name="remedies_one_rate_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} ({self.effective_from})"


class Playbook(models.Model):
    """The standard procedure for the cases of one category, as ordered steps."""

    category = models.OneToOneField(
        "triage.Category",
        on_delete=models.CASCADE,
        related_name="playbook",
        verbose_name=_("category"),
    )
    name_en = models.CharField(_("English name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self.name_en, self.name_zh)


class PlaybookStep(models.Model):
    playbook = models.ForeignKey(
        Playbook, on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=60)
    title_en = models.CharField(_("English title"), max_length=200)
    title_zh = models.CharField(_("Chinese title"), max_length=200)
    help_en = models.TextField(_("English guidance"), blank=True)
    help_zh = models.TextField(_("Chinese guidance"), blank=True)
    required = models.BooleanField(_("required before resolving"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("playbook step")
        verbose_name_plural = _("playbook steps")
        constraints = [
            models.UniqueConstraint(
                fields=["playbook", "code"], name="remedies_step_code_per_playbook"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _in_language(self.title_en, self.title_zh)

    @property
    def help(self) -> str:
        return _in_language(self.help_en, self.help_zh)


# --- A case's facts and steps -----------------------------------------------------


class CaseFacts(models.Model):
    """What the agent established about the trip and the event, for the engine."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="remedy_facts"
    )
    event_type = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    cause = models.CharField(
        _("cause"), max_length=40, choices=CauseKind.choices, blank=True
    )
    disrupted_position = models.PositiveSmallIntegerField(
        _("disrupted flight (1 = first)"), null=True, blank=True
    )
    actual_departure = models.DateTimeField(
        _("actual departure"), null=True, blank=True
    )
    actual_arrival = models.DateTimeField(_("actual arrival"), null=True, blank=True)
    notified_at = models.DateTimeField(_("passenger told at"), null=True, blank=True)
    rerouted_departure = models.DateTimeField(
        _("new flight departs"), null=True, blank=True
    )
    rerouted_arrival = models.DateTimeField(
        _("new flight arrives"), null=True, blank=True
    )
    voluntary = models.BooleanField(_("gave up the seat voluntarily"), default=False)
    from_cabin = models.CharField(
        _("booked cabin"), max_length=20, choices=Cabin.choices, blank=True
    )
    to_cabin = models.CharField(
        _("cabin flown"), max_length=20, choices=Cabin.choices, blank=True
    )
    segment_fare_amount = models.DecimalField(
        _("fare of the flight"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    segment_fare_currency = models.CharField(max_length=3, blank=True)
    fare_amount = models.DecimalField(
        _("one-way fare"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    fare_currency = models.CharField(max_length=3, blank=True)
    cabin = models.CharField(
        _("cabin"), max_length=20, choices=Cabin.choices, blank=True
    )
    pir_reference = models.CharField(_("baggage file (PIR)"), max_length=12, blank=True)
    bag_delivered_at = models.DateTimeField(_("bag delivered"), null=True, blank=True)
    complained_at = models.DateTimeField(
        _("written complaint received"), null=True, blank=True
    )
    bag_fee_amount = models.DecimalField(
        _("bag fee"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    bag_fee_currency = models.CharField(max_length=3, blank=True)
    bag_weight_kg = models.DecimalField(
        _("bag weight (kg)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case facts")
        verbose_name_plural = _("case facts")

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} ({self.case_id})"


class CaseSegment(models.Model):
    """One flight of the case's itinerary, in order; times stored in UTC."""

    facts = models.ForeignKey(
        CaseFacts, on_delete=models.CASCADE, related_name="segments"
    )
    position = models.PositiveSmallIntegerField()
    marketing_carrier = models.CharField(_("carrier"), max_length=3)
    operating_carrier = models.CharField(_("operated by"), max_length=3, blank=True)
    flight_number = models.CharField(_("flight number"), max_length=8, blank=True)
    origin = models.CharField(_("from"), max_length=3)
    destination = models.CharField(_("to"), max_length=3)
    scheduled_departure = models.DateTimeField(_("scheduled departure"))
    scheduled_arrival = models.DateTimeField(_("scheduled arrival"))

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["facts", "position"], name="remedies_segment_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.flight_number} {self.origin}-{self.destination}"


class CaseStep(models.Model):
    """A playbook step done on a case."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="playbook_steps"
    )
    step = models.ForeignKey(PlaybookStep, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    done_at = models.DateTimeField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="remedies_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.step_id} on {self.case_id}"


# --- Offers and the ledger --------------------------------------------------------


class RemedyOffer(models.Model):
    """A remedy proposed to a passenger, moving through ``offers.TRANSITIONS``."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="remedy_offers"
    )
    kind = models.CharField(_("remedy"), max_length=20, choices=OfferKind.choices)
    expense = models.CharField(
        _("expense"), max_length=20, choices=ExpenseKind.choices, blank=True
    )
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    miles = models.PositiveIntegerField(_("miles"), null=True, blank=True)
    description = models.CharField(
        _("terms shown to the passenger"), max_length=500, blank=True
    )
    regime = models.CharField(_("regime"), max_length=20, blank=True)
    entitlement_code = models.CharField(_("entitlement"), max_length=60, blank=True)
    goodwill_rule = models.ForeignKey(
        GoodwillRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    instead_of_money = models.BooleanField(
        _("offered instead of money owed"), default=False
    )
    receipts = models.ManyToManyField(
        "cases.Attachment", blank=True, related_name="+", verbose_name=_("receipts")
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=OfferState.choices,
        default=OfferState.PROPOSED,
    )
    needs_approval = models.BooleanField(default=False)
    # Why a second person had to approve: see ``offers.APPROVAL_REASONS``.
    approval_reason = models.CharField(max_length=20, blank=True)
    proposed_at = models.DateTimeField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    consent_given = models.BooleanField(default=False)
    declined_reason = models.CharField(max_length=300, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    payment_reference = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name = _("remedy offer")
        verbose_name_plural = _("remedy offers")
        indexes = [
            models.Index(fields=["state", "expires_at"], name="remedies_offer_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class LedgerEntry(models.Model):
    """One state an offer entered, with its value: append-only, for the totals.

    The case's category, flight and the offer's regime are copied at the time, so
    the totals of a period never change when a case is edited later.
    """

    offer = models.ForeignKey(
        RemedyOffer, on_delete=models.CASCADE, related_name="ledger"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=OfferState.choices)
    kind = models.CharField(max_length=20, choices=OfferKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    currency = models.CharField(max_length=3, blank=True)
    miles = models.PositiveIntegerField(null=True)
    regime = models.CharField(max_length=20, blank=True)
    category = models.CharField(max_length=60)
    flight_number = models.CharField(max_length=8, blank=True)
    flight_date = models.DateField(null=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["occurred_at"], name="remedies_ledger_time"),
            models.Index(fields=["state", "occurred_at"], name="remedies_ledger_state"),
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.offer_id} at {self.occurred_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only.")
