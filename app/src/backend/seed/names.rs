//! The people and businesses on the other side of demo movements: employers,
//! utilities, merchants, insurers. Plain data, picked deterministically.

/// Employers paying salaries (counterparty of a salary credit).
pub(super) const EMPLOYERS: &[&str] = &[
    "县农业局 工资",
    "青石镇中心小学 工资",
    "县人民医院 工资",
    "县邮政分公司 代发工资",
    "柳河乡人民政府 工资",
    "县供销合作社 工资",
    "东关纺织有限公司 代发工资",
    "县自来水公司 工资",
    "桃园村村民委员会 工资",
    "县第二中学 工资",
    "县交通运输局 工资",
    "青石水泥有限公司 代发工资",
];

/// Where farmers earn between harvests.
pub(super) const FARM_WORK: &[&str] = &["浙江宏建建筑有限公司 劳务费", "县农机合作社 劳务费", "青石物流园 装卸费"];

/// Customers of small businesses paying in.
pub(super) const BUSINESS_PAYERS: &[&str] = &[
    "县城建材市场 货款",
    "青石镇农贸市场 货款",
    "东关五金批发部 货款",
    "顺丰速运 运费结算",
    "县粮油贸易公司 货款",
    "美团 商户结算",
];

/// Housing developers (counterparty of a housing loan's disbursement).
pub(super) const DEVELOPERS: &[&str] =
    &["县城翠湖置业有限公司", "青石镇锦绣家园开发有限公司", "东关新城房地产开发有限公司"];

/// Mobile carriers: the phone bill's counterparty.
pub(super) const CARRIERS: &[&str] = &["中国移动 话费", "中国联通 话费", "中国电信 话费"];

/// Monthly phone plans in yuan.
pub(super) const PHONE_PLANS: &[i64] = &[38, 58, 88, 128];

/// Shops where a card is used in person: (name, low yuan, high yuan).
pub(super) const SHOPS: &[(&str, i64, i64)] = &[
    ("华联超市", 20, 320),
    ("县百货大楼", 60, 900),
    ("中国石化加油站", 100, 400),
    ("青石镇卫生院", 15, 260),
    ("农资服务社", 40, 800),
    ("老街药房", 12, 150),
    ("苏宁易购 县城店", 200, 2600),
    ("镇中心菜市场", 10, 120),
    ("县新华书店", 20, 180),
    ("农家乐饭店", 60, 480),
];

/// Online payments (the small Type II/III accounts): (name, low yuan, high yuan).
pub(super) const ONLINE: &[(&str, i64, i64)] =
    &[("美团外卖", 12, 80), ("拼多多", 9, 160), ("滴滴出行", 8, 60), ("京东商城", 30, 190), ("饿了么", 12, 70)];

/// Credit card merchants: (name, low yuan, high yuan).
pub(super) const CARD_MERCHANTS: &[(&str, i64, i64)] = &[
    ("苏宁易购 县城店", 150, 2800),
    ("京东商城", 30, 1200),
    ("中国石化加油站", 150, 450),
    ("华联超市", 40, 500),
    ("县百货大楼", 80, 1500),
    ("携程旅行", 300, 2500),
    ("12306 铁路购票", 60, 600),
    ("农家乐饭店", 80, 600),
];

/// Insurers whose policies the bank sells: (zh, en), and how the premium shows.
pub(super) const INSURERS: &[((&str, &str), &str)] = &[
    (("中邮人寿保险", "China Post Life Insurance"), "中邮人寿 保费"),
    (("中国人寿保险", "China Life Insurance"), "中国人寿 保费"),
];

/// Names for the many payers of the benchmark's busy account.
pub(super) const PAYER_SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
pub(super) const PAYER_GIVEN: &[&str] =
    &["建国", "秀珍", "海燕", "志强", "玉兰", "德华", "春梅", "国庆", "小红", "卫东"];
