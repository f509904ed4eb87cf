"""Korean readings of the Chinese characters used in Korean personal names.

North Korean names are sometimes given in hanja (金正恩 for Kim Jong Un), and
Chinese-character text is otherwise transliterated with Mandarin readings
(jin zheng en), which no Korean spelling resembles. This table gives the
Sino-Korean reading of the characters common in Korean surnames and given
names, in traditional and simplified forms, so a hanja name can also be read
as Hangul and matched like one.

Source of the readings: the standard Sino-Korean readings (the 음 of each
character as listed in Korean dictionaries and the Supreme Court's table of
characters for personal names), compiled by hand for this project. Readings
are given in the North Korean form, without the initial-sound law (李 리,
林 림, 柳 류, 梁 량, 廉 렴, 羅 라, 盧 로, 龍 룡); the matching keys fold these
with the South Korean forms anyway. A name with any character not in the
table is not read as Korean.
"""

from __future__ import annotations

import re

_READINGS = """
金김 李리 朴박 崔최 鄭정 郑정 姜강 趙조 赵조 尹윤 張장 张장 林림 韓한 韩한 吳오 吴오
申신 權권 权권 黃황 黄황 安안 宋송 柳류 全전 洪홍 高고 文문 梁량 孫손 孙손 白백 許허 许허
南남 沈심 盧로 卢로 河하 郭곽 成성 車차 车차 朱주 禹우 具구 閔민 闵민 陳진 陈진 池지
嚴엄 严엄 蔡채 元원 千천 方방 孔공 玄현 咸함 卞변 廉렴 呂려 吕려 秋추 都도 蘇소 苏소
石석 宣선 薛설 馬마 马마 吉길 延연 魏위 表표 明명 奇기 潘반 羅라 罗라 王왕 琴금 玉옥
陸륙 陆륙 印인 孟맹 太태 桂계 皮피 方방 康강 周주 田전 任임 辛신 劉류 刘류 兪유 俞유
正정 恩은 日일 成성 哲철 鐵철 铁철 國국 国국 男남 浩호 虎호 光광 賢현 贤현 海해 東동 东동
善선 美미 淑숙 順순 顺순 姬희 熙희 容용 春춘 漢한 汉한 植식 秀수 勇용 龍룡 龙룡 英영 永영
洙수 泳영 雄웅 峰봉 鳳봉 凤봉 山산 川천 天천 仁인 義의 义의 禮례 礼례 智지 信신 忠충 孝효
德덕 福복 吉길 昌창 泰태 錫석 锡석 碩석 硕석 俊준 峻준 準준 准준 民민 敏민 萬만 万만 根근
基기 起기 洛락 樂락 乐락 興흥 兴흥 燮섭 植식 元원 原원 源원 元원 允윤 潤윤 润윤 吉길 道도
斗두 範범 范범 弼필 泌필 必필 學학 学학 鎬호 镐호 虎호 湖호 鎭진 镇진 振진 珍진 眞진 真진
震진 哲철 徹철 彻철 喆철 星성 聖성 圣성 誠성 诚성 性성 聲성 声성 松송 頌송 颂송 洙수 守수
壽수 寿수 淳순 純순 纯순 舜순 承승 昇승 勝승 胜승 時시 时시 植식 湜식 實실 实실 心심 岩암
巖암 愛애 爱애 陽양 阳양 良량 亮량 彦언 汝여 然연 淵연 渊연 燕연 硏연 研연 延연 烈렬 列렬
玲령 鈴령 铃령 寧녕 宁녕 令령 永영 榮영 荣영 映영 玉옥 完완 旺왕 龍룡 勇용 鎔용 熔용 宇우 雨우
友우 佑우 旭욱 雲운 云운 運운 运운 元원 遠원 远원 月월 有유 裕유 潤윤 銀은 银은 殷은 乙을
音음 應응 应응 宜의 益익 寅인 一일 逸일 林림 立립 子자 慈자 章장 長장 长장 載재 载재 在재
才재 哉재 宰재 材재 烈렬 全전 典전 煎전 貞정 贞정 廷정 庭정 晶정 禎정 祯정 淨정 净정 定정
鍾종 钟종 鐘종 宗종 種종 种종 鍾종 柱주 株주 周주 俊준 中중 仲중 重중 增증 志지 知지 址지
芝지 智지 之지 直직 津진 進진 进진 贊찬 赞찬 燦찬 灿찬 昌창 彰창 昶창 倉창 仓창 采채 菜채
處처 处처 天천 泉천 喆철 淸청 清청 靑청 青청 村촌 寵총 銃총 秋추 春춘 忠충 充충 就취 致치
澤택 泽택 宅택 八팔 平평 杓표 弼필 夏하 學학 鶴학 鹤학 漢한 翰한 海해 幸행 鄕향 乡향 香향
憲헌 宪헌 赫혁 革혁 炫현 鉉현 铉현 賢현 亨형 炯형 衡형 馨형 惠혜 慧혜 虎호 昊호 好호 皓호
洪홍 弘홍 紅홍 红홍 和화 花화 華화 华화 化화 煥환 焕환 桓환 晃황 煌황 會회 会회 孝효 曉효
晓효 勳훈 勋훈 薰훈 熏훈 輝휘 辉휘 徽휘 休휴 欽흠 钦흠 興흥 熙희 喜희 希희 禧희 姬희
一일 二이 三삼 四사 五오 六륙 七칠 九구 十십 百백 千천 京경 景경 敬경 慶경 庆경 卿경 璟경
炅경 鏡경 镜경 季계 啓계 启계 光광 廣광 广광 九구 求구 球구 權권 奎규 圭규 均균 克극 槿근
錦금 锦금 今금 琪기 麒기 箕기 吉길 南남 乃내 年년 達달 达달 大대 德덕 度도 東동 童동 桐동
得득 登등 洛락 蘭란 兰란 來래 来래 良량 麗려 丽려 力력 蓮련 莲련 連련 连련 玲령 魯로 鲁로
綠록 绿록 祿록 禄록 雷뢰 了료 柳류 倫륜 伦륜 律률 隆륭 利리 理리 里리 梨리 林림 馬마 萬만
滿만 满만 晩만 末말 望망 梅매 孟맹 勉면 明명 命명 鳴명 鸣명 模모 茂무 武무 文문 聞문 闻문
敏민 玟민 珉민 旻민 博박 範범 炳병 秉병 丙병 柄병 兵병 寶보 宝보 普보 甫보 輔보 辅보 福복
本본 奉봉 富부 夫부 芬분 鵬붕 鹏붕 斌빈 彬빈 士사 思사 師사 师사 史사 山산 森삼 祥상 相상
尙상 尚상 常상 商상 瑞서 緖서 绪서 西서 序서 舒서 錫석 奭석 夕석 先선 仙선 璿선 宣선 雪설
燮섭 成성 世세 洗세 小소 昭소 素소 韶소 召소 松송 秀수 洙수 壽수 修수 守수 樹수 树수 叔숙
肅숙 肃숙 順순 洵순 珣순 述술 崇숭 習습 习습 升승 丞승 始시 植식 信신 新신 臣신 實실 深심
"""


def _parse() -> dict[str, str]:
    table: dict[str, str] = {}
    for item in _READINGS.split():
        han, reading = item[0], item[1:]
        table.setdefault(han, reading)
    return table


HANJA_READINGS: dict[str, str] = _parse()


def is_han(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


_HAN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")


def has_han(text: str) -> bool:
    """Whether any character is a Chinese character (as :func:`is_han`)."""
    return _HAN.search(text) is not None


def read_hanja(text: str) -> str | None:
    """The Hangul reading of a hanja name, or None when a character is unknown.

    Spaces and middle dots are kept as word breaks; other characters must
    all be in the table.
    """
    out: list[str] = []
    seen_han = False
    for ch in text:
        if ch.isspace() or ch in "·・":
            out.append(" ")
        elif is_han(ch):
            reading = HANJA_READINGS.get(ch)
            if reading is None:
                return None
            out.append(reading)
            seen_han = True
        else:
            return None
    return " ".join("".join(out).split()) if seen_han else None
