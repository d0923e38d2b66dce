"""Priority from urgency and sentiment, in English and Chinese."""

import pytest

from paxcare.triage.priority import priority_points, score_priority, sentiment


@pytest.mark.parametrize(
    ("text", "category", "kind", "expected"),
    [
        (
            "Flight cancelled, we are stranded at the airport tonight with two kids, "
            "please help",
            "flight.cancellation",
            "complaint",
            "urgent",
        ),
        (
            "航班取消了，我们一家滞留在机场，今晚没地方住，请马上帮忙",
            "flight.cancellation",
            "complaint",
            "urgent",
        ),
        (
            "Missed my connection in Beijing, no hotel, stuck here",
            "flight.missed_connection",
            "complaint",
            "urgent",
        ),
        (
            "My father needs a wheelchair at the gate right now and nobody came",
            "service.accessibility",
            "complaint",
            "urgent",
        ),
        (
            "我爸爸需要轮椅，现在在登机口没人管",
            "service.accessibility",
            "complaint",
            "urgent",
        ),
        ("My flight is delayed two hours", "flight.delay", "complaint", "normal"),
        ("航班延误两个小时", "flight.delay", "complaint", "normal"),
        (
            "The worst, most useless customer service ever",
            "service.customer_service",
            "complaint",
            "normal",
        ),
        (
            "Last month my flight was delayed, I would like compensation",
            "flight.delay",
            "claim",
            "normal",
        ),
        ("上个月航班延误，申请补偿", "flight.delay", "claim", "normal"),
        (
            "How do I request a wheelchair for my father next month?",
            "service.accessibility",
            "inquiry",
            "normal",
        ),
        (
            "How much is the fare to Shanghai next month?",
            "ticketing.fees",
            "inquiry",
            "low",
        ),
        ("请问下个月去上海的票价是多少？", "ticketing.fees", "inquiry", "low"),
        (
            "Can I choose an emergency exit row seat?",
            "ticketing.upgrade",
            "inquiry",
            "low",
        ),
        ("可以选紧急出口的座位吗？", "ticketing.upgrade", "inquiry", "low"),
        ("Where is terminal 2?", "airport.info", "inquiry", "low"),
        (
            "Stranded at the airport, please help!",
            "service.cabin_crew",
            "praise",
            "low",
        ),
        (
            "Please add more vegetarian meals",
            "service.onboard_product",
            "suggestion",
            "low",
        ),
    ],
)
def test_priority_of_representative_messages(text, category, kind, expected):
    assert score_priority(text, category, kind) == expected


def test_a_stranded_passenger_outranks_a_fare_question():
    stranded = priority_points(
        "Stuck at the airport overnight after the cancellation",
        "flight.cancellation",
        "complaint",
    )
    fare = priority_points(
        "What does a ticket to Chengdu cost?", "ticketing.fees", "inquiry"
    )

    assert (stranded, fare) == (7, 0)


def test_cues_match_whole_words_only():
    assert priority_points("I love my snowboard", "other", "inquiry") == 0
    assert priority_points("I need help", "other", "inquiry") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thank you to the crew, wonderful flight", 2 / 3),
        ("The worst, most useless customer service ever", -2 / 3),
        ("not good at all", -0.5),
        ("never again", -0.5),
        ("客服太差了，打了三次电话都没人接，非常失望", -2 / 3),
        ("服务不满意", -0.5),
        ("没有很好", -0.5),
        ("很好，谢谢", 2 / 3),
        ("态度很差，很不满意，但空姐很好", -0.25),
        ("航班几点起飞", 0.0),
    ],
)
def test_sentiment_counts_tone_words_and_their_negations(text, expected):
    assert sentiment(text) == pytest.approx(expected)
