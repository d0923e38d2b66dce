"""Concept cues: words that say what a message is about, in English and Chinese.

Each concept becomes one feature of the classifier (``features.py``). A cue in English
is one word or two (matched against the word n-grams, so whole words only); a cue in
Chinese is two to five characters (matched against the character n-grams). The lists
give a model trained on few examples the synonyms its examples lack, and tie the two
languages together: an English "wheelchair" and a Chinese "轮椅" are the same feature.

A model stores the lists it was trained with, so editing them changes new models only.
"""

# fmt: off
CONCEPTS: dict[str, tuple[str, ...]] = {
    "delay": (
        "delay", "delayed", "delays", "delaying", "late", "later", "lateness",
        "behind schedule", "pushed back", "push back", "still waiting", "on time",
        "ontime", "eta", "tarmac", "hold pattern", "holding pattern",
        "departure time", "new time", "estimated", "hours late", "running late",
        "延误", "晚点", "推迟", "延迟", "误点", "还没起飞", "迟迟不", "等了",
        "起飞时间",
    ),
    "cancel": (
        "cancel", "cancelled", "canceled", "cancels", "cancelling", "canceling",
        "cancellation", "cancellations", "scrapped", "called off", "grounded", "取消",
        "被取消", "航班取消", "停飞", "取消了",
    ),
    "divert": (
        "diverted", "divert", "diversion", "rerouted", "turned back", "returned to",
        "emergency landing", "landed in", "备降", "返航", "迫降", "改降",
    ),
    "overbooked": (
        "overbooked", "overbooking", "oversold", "bumped", "denied boarding",
        "involuntarily", "gave away", "give away", "no seat", "超售", "拒绝登机",
        "不让登机", "没有座位", "被拒载",
    ),
    "schedule": (
        "schedule change", "rescheduled", "retimed", "moved my", "changed my",
        "new schedule", "time change", "flight changed", "航班变更", "时刻调整",
        "计划变更", "航班调整", "改时间", "提前起飞", "时刻变更",
    ),
    "connection": (
        "connection", "connecting", "connections", "missed connection", "layover",
        "transfer", "onward", "misconnect", "next leg", "second leg", "中转", "转机",
        "联程", "衔接", "错过中转", "没赶上",
    ),
    "bag": (
        "bag", "bags", "luggage", "baggage", "suitcase", "suitcases", "checked bag",
        "carousel", "belt", "claim", "pir", "bag tag", "行李", "箱子", "行李箱",
        "托运", "拉杆箱", "转盘",
    ),
    "bag_missing": (
        "lost", "missing", "never arrived", "not arrive", "not arrived", "where is",
        "wheres", "delivered", "delivery", "track", "tracking", "located", "found",
        "still no", "mishandled", "丢失", "丢了", "没到", "找不到", "没有到",
        "还没到", "送到", "遗失", "下落",
    ),
    "damage": (
        "damaged", "damage", "damages", "broken", "broke", "torn", "ripped", "rip",
        "crushed", "dented", "dent", "cracked", "crack", "smashed", "destroyed",
        "ruined", "wheel", "wheels", "handle", "zipper", "zip", "scratched", "bent",
        "soaked", "wet", "破损", "摔坏", "坏了", "破了", "裂了", "裂开", "划痕",
        "轮子", "拉杆", "变形", "损坏",
    ),
    "pilfered": (
        "stolen", "stole", "theft", "items missing", "went through", "opened my",
        "rummaged", "taken from", "pilfered", "被盗", "偷", "少了", "不见了", "被翻",
        "被打开", "丢了东西",
    ),
    "allowance": (
        "allowance", "weight", "overweight", "kg", "kilos", "pounds", "lbs",
        "carry on", "carryon", "carry-on", "cabin bag", "hand luggage", "oversize",
        "excess", "size limit", "liquids", "powerbank", "power bank", "额度", "限额",
        "超重", "公斤", "手提", "随身", "免费行李", "充电宝", "规定",
    ),
    "pets": (
        "dog", "dogs", "cat", "cats", "pet", "pets", "puppy", "kitten",
        "service animal", "emotional support", "crate", "kennel", "宠物", "小狗",
        "猫咪", "狗狗", "导盲犬", "航空箱", "小猫",
    ),
    "refund": (
        "refund", "refunds", "refunded", "money back", "reimburse", "reimbursement",
        "chargeback", "credit card", "voucher", "travel credit", "退款", "退票",
        "退钱", "返还", "原路退回", "退费",
    ),
    "rebook": (
        "rebook", "rebooked", "rebooking", "change flight", "change my", "change fee",
        "standby", "same day", "earlier flight", "later flight", "next flight",
        "改签", "改期", "换航班", "变更", "签转", "改到",
    ),
    "booking": (
        "book", "booking", "booked", "reservation", "reserve", "reservations",
        "confirmation", "ticketed", "ticketing", "itinerary", "purchase", "purchased",
        "bought", "website", "site", "app", "online", "error", "glitch", "payment",
        "name change", "订票", "买票", "购票", "出票", "订单", "预订", "网站", "官网",
        "支付", "儿童票", "婴儿票",
    ),
    "fees": (
        "fee", "fees", "fare", "fares", "price", "prices", "pricing", "charged",
        "charge", "overcharged", "expensive", "cost", "costs", "dollars", "tax",
        "taxes", "surcharge", "价格", "票价", "收费", "费用", "贵", "多收", "手续费",
        "燃油费",
    ),
    "seat": (
        "upgrade", "upgraded", "upgrades", "seat assignment", "seat selection",
        "select seat", "exit row", "aisle", "window seat", "first class",
        "business class", "premium", "extra legroom", "seat map", "seated apart",
        "升舱", "选座", "座位号", "靠窗", "靠过道", "头等舱", "商务舱", "紧急出口",
    ),
    "documents": (
        "receipt", "receipts", "invoice", "invoices", "itinerary receipt",
        "tax invoice", "proof", "statement", "发票", "行程单", "报销", "凭证",
        "电子发票", "开票",
    ),
    "check_in": (
        "check in", "checkin", "check-in", "checked in", "boarding pass", "boarding",
        "boarded", "gate closed", "gate", "kiosk", "mobile pass", "boarding group",
        "zone", "值机", "登机牌", "登机", "办理登机", "截止", "登机口", "自助值机",
    ),
    "security": (
        "security", "tsa", "screening", "scanner", "pat down", "precheck",
        "confiscated", "prohibited", "liquid", "安检", "违禁", "不能带", "没收",
        "安全检查",
    ),
    "airport": (
        "terminal", "parking", "shuttle", "lounge", "airport map", "train", "metro",
        "which terminal", "transfer desk", "航站楼", "停车", "机场大巴", "休息室",
        "地铁", "几号航站楼", "怎么走", "贵宾室",
    ),
    "contact": (
        "customer service", "hold", "on hold", "phone", "call", "called", "calling",
        "calls", "hung up", "hang up", "hotline", "call center", "reservations line",
        "agent", "representative", "rep", "email", "emailed", "reply", "replied",
        "response", "respond", "dm", "dms", "chat", "wait time", "客服", "电话",
        "热线", "打不通", "回复", "人工", "投诉电话", "没人接", "在线客服",
    ),
    "crew": (
        "flight attendant", "flight attendants", "attendant", "attendants", "fa",
        "fas", "stewardess", "steward", "crew", "cabin crew", "purser", "pilot",
        "pilots", "captain", "空乘", "乘务员", "空姐", "空少", "机组", "乘务长",
        "机长",
    ),
    "ground": (
        "gate agent", "gate agents", "counter", "ticket counter", "desk", "staff",
        "employee", "employees", "supervisor", "manager", "ground staff", "地勤",
        "柜台", "工作人员", "值机员", "服务台",
    ),
    "attitude": (
        "rude", "rudest", "rudeness", "attitude", "yelled", "yelling", "shouted",
        "unprofessional", "condescending", "snapped", "ignored", "disrespectful",
        "态度", "不耐烦", "凶", "冷漠", "不理", "骂人", "服务态度",
    ),
    "queue": (
        "line", "lines", "queue", "queues", "queued", "queuing", "long line",
        "in line", "waiting line", "one agent", "understaffed", "short staffed",
        "crowd", "排队", "长队", "队伍", "人太多", "插队", "只开",
    ),
    "onboard": (
        "seat", "seats", "legroom", "recline", "food", "meal", "meals", "snack",
        "snacks", "drink", "drinks", "coffee", "wifi", "wi-fi", "internet",
        "entertainment", "movie", "movies", "tv", "screen", "headphones", "dirty",
        "smell", "smelled", "toilet", "bathroom", "lavatory", "cold", "hot",
        "uncomfortable", "cramped", "outlet", "power", "blanket", "座椅", "餐食",
        "飞机餐", "娱乐", "厕所", "卫生间", "空调", "毯子", "网络", "屏幕", "餐饮",
        "饮料", "脏",
    ),
    "assistance": (
        "wheelchair", "disabled", "disability", "elderly", "mobility",
        "unaccompanied", "minor", "pregnant", "pregnancy", "blind", "deaf",
        "special assistance", "stretcher", "oxygen", "medical", "轮椅", "老人",
        "孕妇", "无人陪伴", "残疾", "行动不便", "病人", "担架", "特殊旅客", "老年",
    ),
    "left_behind": (
        "left my", "left behind", "forgot", "forgotten", "lost property",
        "found property", "seat pocket", "overhead bin", "left it", "落在", "遗落",
        "忘在", "失物", "失物招领", "丢在", "忘拿",
    ),
    "miles": (
        "miles", "mileage", "points", "status", "elite", "frequent flyer",
        "frequent flier", "member", "membership", "rewards", "award", "tier", "gold",
        "platinum", "里程", "积分", "会员", "常旅客", "金卡", "银卡", "兑换",
        "白金卡",
    ),
    "compensation": (
        "compensation", "compensate", "compensated", "claim", "reimburse", "eu261",
        "entitled", "owed", "hotel voucher", "meal voucher", "赔偿", "补偿", "索赔",
        "报销", "理赔",
    ),
    "question": (
        "?", "how", "can i", "do i", "is it", "will i", "what", "when", "where",
        "which", "does", "allowed", "possible", "请问", "吗", "怎么", "如何", "能否",
        "可以吗", "是否", "多少", "什么时候", "哪里", "多久", "什么", "怎样", "哪些",
        "有没有",
    ),
    "thanks": (
        "thank", "thanks", "thankyou", "thx", "kudos", "shoutout", "shout out",
        "great", "awesome", "amazing", "love", "excellent", "appreciate", "wonderful",
        "best", "谢谢", "感谢", "点赞", "表扬", "辛苦了", "很棒", "好评", "满意",
    ),
    "suggest": (
        "suggest", "suggestion", "should", "please consider", "be nice", "why not",
        "wish", "idea", "recommend", "feedback", "建议", "希望", "能不能", "最好",
        "提议", "改进",
    ),
}
# fmt: on
