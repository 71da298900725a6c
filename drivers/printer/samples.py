"""Sample printed matter: the technician's test page and a sample application receipt.

Used by `kiosk print`, the tests and the benchmark, so all three print the same thing.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from PIL import Image as PILImage
from PIL import ImageDraw

from drivers.printer.document import Cut, Document, Feed, Image, Qr, Rule, Text


def emblem(size: int = 96) -> PILImage.Image:
    """A small raster (a ringed star) to prove graphics print."""
    img = PILImage.new("L", (size, size), 255)
    draw = ImageDraw.Draw(img)
    draw.ellipse((2, 2, size - 3, size - 3), outline=0, width=4)
    c, r = size / 2, size * 0.36
    pts = [(c + (r if i % 2 == 0 else r * 0.4) * math.sin(i * math.pi / 5),
            c - (r if i % 2 == 0 else r * 0.4) * math.cos(i * math.pi / 5)) for i in range(10)]
    draw.polygon(pts, fill=0)
    return img


def test_page(terminal: str = "自助终端") -> Document:
    return Document((
        Text("打印机测试页", size=2, bold=True, align="center"),
        Text("PRINTER TEST PAGE", align="center"),
        Rule(),
        Text(f"终端：{terminal}"),
        Text("中文：政务服务，一网通办。全角标点：！？“”（）【】"),
        Text("ASCII: The quick brown fox jumps over the lazy dog 0123456789"),
        Text("倍宽倍高 x2", size=2),
        Text("加粗 Bold", bold=True),
        Text("右对齐 right", align="right"),
        Qr("https://zwfw.example.gov.cn/test", module=5),
        Image(emblem()),
        Text("—— 测试结束 ——", align="center"),
        Cut(),
    ), title="test page")


def sample_receipt(number: str = "SL202611220001", service: str = "居住证办理",
                   on: date | None = None, promised_days: int = 7) -> Document:
    """受理回执 as a citizen takes it home: no personal data beyond the receipt number."""
    on = on or date.today()
    promised = on + timedelta(days=promised_days)
    return Document((
        Text("政务服务中心", align="center"),
        Text("受理回执", size=2, bold=True, align="center"),
        Rule(),
        Text(f"受理编号：{number}"),
        Text(f"办理事项：{service}"),
        Text(f"受理日期：{on:%Y年%m月%d日}"),
        Text(f"承诺办结：{promised:%Y年%m月%d日}（{promised_days}个工作日）"),
        Rule(),
        Text("请凭本回执或扫描下方二维码查询办理进度。"),
        Qr(f"https://zwfw.example.gov.cn/progress?no={number}", module=6),
        Text("咨询电话：12345", align="center"),
        Feed(1),
        Cut(),
    ), title="receipt")
