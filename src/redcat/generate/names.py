"""Vocabularies for names, titles and search queries (mixed Chinese and English)."""

from __future__ import annotations

import numpy as np

_BRAND_HEADS = (
    "Lu", "Na", "Ve", "Ra", "Ko", "Mi", "Sa", "Te", "Lo", "Zen",
    "Ar", "Bel", "Ca", "Do", "El", "Fi", "Ga", "Ha", "Io", "Ju",
)  # fmt: skip
_BRAND_TAILS = (
    "na", "ra", "vo", "lia", "ne", "ka", "mo", "ri", "sa", "to",
    "via", "xa", "ly", "ro", "dé", "ko", "ni", "ta", "ve", "zu",
)  # fmt: skip


def brand_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct brand names (two syllables first, then three)."""
    two = [h + t for h in _BRAND_HEADS for t in _BRAND_TAILS]
    three = [h + m.lower() + t for h in _BRAND_HEADS for m in _BRAND_HEADS for t in _BRAND_TAILS]
    pool = [two[i] for i in rng.permutation(len(two))]
    if n > len(pool):
        pool += [three[i] for i in rng.permutation(len(three))]
    names: list[str] = []
    seen: set[str] = set()
    for name in pool:
        if name not in seen:
            seen.add(name)
            names.append(name)
        if len(names) == n:
            return names
    names += [f"{pool[i % len(pool)]} {i}" for i in range(len(names), n)]
    return names


# Product nouns per industry (contract.INDUSTRIES order).
PRODUCT_NOUNS: tuple[tuple[str, ...], ...] = (
    ("精华液", "面霜", "口红", "防晒霜", "粉底液", "卸妆油", "serum", "lipstick", "sunscreen"),
    ("跑鞋", "瑜伽垫", "运动内衣", "速干T恤", "骑行服", "running shoes", "yoga mat", "护膝"),
    ("连衣裙", "卫衣", "牛仔裤", "风衣", "衬衫", "hoodie", "针织开衫", "西装外套"),
    ("香薰", "收纳盒", "四件套", "抱枕", "台灯", "餐具", "diffuser", "香薰蜡烛"),
    ("耳机", "充电宝", "键盘", "平板支架", "智能手表", "earbuds", "机械键盘", "移动硬盘"),
    ("咖啡豆", "坚果", "燕麦", "零食礼盒", "茶叶", "气泡水", "cold brew", "低脂零食"),
)
VARIANTS = (
    "经典款",
    "升级版",
    "新款",
    "礼盒装",
    "30ml",
    "50ml",
    "M",
    "L",
    "黑色",
    "白色",
    "Pro",
    "mini",
)
QUERY_MODIFIERS = (
    "",
    "推荐",
    "平价",
    "学生党",
    "小红书同款",
    "测评",
    "best",
    "官方旗舰店",
    "2025新款",
)
# Price levels per industry, in yuan: (median, log-sd).
PRICE_LEVELS: tuple[tuple[float, float], ...] = (
    (189.0, 0.6),
    (329.0, 0.6),
    (229.0, 0.6),
    (139.0, 0.7),
    (399.0, 0.8),
    (69.0, 0.5),
)

NICK_HEADS = ("小", "阿", "大", "Miss ", "Mr. ", "momo", "Lily", "一只", "是", "")
NICK_CORES = (
    "鹿",
    "桃子",
    "橙子",
    "Coco",
    "Yuki",
    "糖糖",
    "鱼",
    "星星",
    "Mia",
    "Kiki",
    "阿May",
    "奶盖",
)
NICK_TAILS = (
    "", "の日常", "爱分享", " ✨", "🍑", "🏃\u200d♀️", "_", " | 好物分享", ", 在路上",
    ' "测评"', "酱", " 🌿", "Vlog", "2024",
)  # fmt: skip
BRAND_ACCOUNT_SUFFIXES = ("官方", " Official", "官方账号", "旗舰店", "")
SHOP_SUFFIXES_TB = ("官方旗舰店", "旗舰店", "专卖店", "企业店")
SHOP_SUFFIX_JD = ("京东自营旗舰店", "官方旗舰店", "旗舰店")
