"""A deterministic slice of the arrivals flow for the demo city.

``seed_arrivals_flow`` plays the last few weeks of the one flow that matters
most (docs/architecture.md) through the real services, acting as the demo accounts:
checkpoints at the three levels with their duty rosters, risk areas, passages
(some feverish, some from risk areas) that queue arrivals in the destination
communities, returnees confirmed in 清华园社区 with home quarantine or health
monitoring and their health checks (one fever → a referral; yesterday's left
undone → overdue), a release waiting for a second person, a door-to-door
campaign, care deliveries and self-reports.

History is replayed: the services run with ``django.utils.timezone.now`` set
to the moment each step happened (the same moved clock the followups tests
use), never past the real now, so every date rule of the services applies as
it would have then. Nothing is written except through the services.

Runs only when no checkpoint exists yet: a second ``fangkong demo`` keeps what
is there."""

from __future__ import annotations

import datetime as dt
import random
from contextlib import contextmanager
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

QINGHUAYUAN = "410611005007"  # 清华园社区, 泰山路街道, 淇滨区
TAISHANLU = "410611005"
QIBIN = "410611"
XUNXIAN = "410621"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "海燕",
    "晓东",
    "红梅",
    "文博",
    "子涵",
    "浩然",
    "雨轩",
    "思远",
    "欣怡",
    "俊杰",
    "佳琪",
    "建国",
    "玉兰",
    "振华",
    "立新",
    "春梅",
]
# Origin (as the checkpoint picker knows it) → region codes of ID numbers people from there carry.
ORIGINS = {
    "4201": ("420102", "420106", "420111"),  # 湖北省武汉市
    "4115": ("411502", "411503"),  # 河南省信阳市
    "4101": ("410105", "410102"),  # 河南省郑州市
    "4107": ("410702",),  # 河南省新乡市
    "4105": ("410502",),  # 河南省安阳市
    "11": ("110105", "110108"),  # 北京市
    "31": ("310104", "310115"),  # 上海市
    "4403": ("440305", "440304"),  # 广东省深圳市
    "3301": ("330106",),  # 浙江省杭州市
    "1301": ("130102",),  # 河北省石家庄市
}
ORIGIN_WEIGHTS = {
    "4201": 14,
    "4115": 9,
    "4101": 20,
    "4107": 10,
    "4105": 8,
    "11": 10,
    "31": 8,
    "4403": 9,
    "3301": 6,
    "1301": 6,
}
PLATE_PREFIX = {
    "4201": "鄂A",
    "4115": "豫S",
    "4101": "豫A",
    "4107": "豫G",
    "4105": "豫E",
    "11": "京N",
    "31": "沪A",
    "4403": "粤B",
    "3301": "浙A",
    "1301": "冀A",
}


# ---------------------------------------------------------------- the replayed clock


class _Clock:
    """Sets ``timezone.now`` (and so ``localdate``) for the services while the
    history is replayed; never later than the real now."""

    def __init__(self):
        self.real_now = timezone.now()
        self.today = timezone.localdate(self.real_now)
        self._real = timezone.now

    def at(self, when: dt.datetime) -> dt.datetime:
        when = min(when, self.real_now)
        timezone.now = lambda: when  # the module attribute; restore() puts it back
        return when

    def day(self, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
        day = self.today - dt.timedelta(days=days_ago)
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_default_timezone())

    def restore(self) -> None:
        timezone.now = self._real


@contextmanager
def _replaying():
    clock = _Clock()
    try:
        yield clock
    finally:
        clock.restore()


# ---------------------------------------------------------------- made-up travellers


class _People:
    """Generated travellers: valid resident ID numbers from outside Hebi, names, phones."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def phone(self) -> str:
        return (
            f"1{self.rng.choice(['38', '39', '50', '86', '37', '58', '52', '89'])}{self.rng.randint(0, 99999999):08d}"
        )

    def doc(self, origin: str) -> str:
        from fangkong.lib.documents import make_resident_id

        while True:
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=self.rng.randint(0, 365 * 52))
            number = make_resident_id(self.rng.choice(ORIGINS[origin]), birth, self.rng.randint(0, 999))
            if number not in self.used:
                self.used.add(number)
                return number

    def traveller(self, origin: str) -> dict:
        return {"name": self.name(), "doc_number": self.doc(origin), "phone": self.phone()}

    def origin(self) -> str:
        codes = list(ORIGIN_WEIGHTS)
        return self.rng.choices(codes, weights=[ORIGIN_WEIGHTS[c] for c in codes])[0]

    def plate(self, origin: str) -> str:
        prefix = PLATE_PREFIX.get(origin, "豫F") if self.rng.random() < 0.7 else "豫F"
        return prefix + "".join(self.rng.choice("0123456789") for _ in range(5))


def _registry_traveller(person) -> dict:
    """A registry person's identity as the checkpoint would type it from their card."""
    from fangkong.lib import vault

    return {
        "name": person.name,
        "doc_number": vault.decrypt(person.doc_cipher),
        "phone": vault.decrypt(person.phone_cipher) if person.phone_cipher else "",
    }


# ---------------------------------------------------------------- the flow


def seed_arrivals_flow(*, seed: int = 2020, stdout=None) -> dict:
    """Create the demo's arrivals flow through the services unless a checkpoint
    already exists. Returns counts of what was made (``skipped`` True when kept)."""
    from fangkong.checkpoints.models import Checkpoint

    def say(line: str) -> None:
        if stdout is not None:
            stdout.write(line)

    if Checkpoint.objects.exists():
        counts = existing_counts()
        say(
            f"==> arrivals flow exists: {counts['checkpoints']} checkpoints, {counts['passages']} passages, "
            f"{counts['arrivals']} arrivals, {counts['followups']} follow-ups (kept)"
        )
        return {"skipped": True, **counts}
    with transaction.atomic(), _replaying() as clock:
        counts = _Flow(seed=seed, clock=clock, say=say).run()
    return {"skipped": False, **counts}


def existing_counts() -> dict:
    from fangkong.approvals.models import ApprovalRequest
    from fangkong.checkpoints.models import Checkpoint, Passage, RiskArea, Shift
    from fangkong.followups.models import DeliveryRequest, FollowUp, HealthCheck, Referral
    from fangkong.screening.models import Arrival, Campaign, Returnee, Visit

    return {
        "checkpoints": Checkpoint.objects.count(),
        "shifts": Shift.objects.count(),
        "risk_areas": RiskArea.objects.count(),
        "passages": Passage.objects.count(),
        "arrivals": Arrival.objects.count(),
        "returnees": Returnee.objects.count(),
        "followups": FollowUp.objects.count(),
        "checks_done": HealthCheck.objects.filter(status="done").count(),
        "referrals": Referral.objects.count(),
        "approvals": ApprovalRequest.objects.count(),
        "campaigns": Campaign.objects.count(),
        "visits": Visit.objects.count(),
        "deliveries": DeliveryRequest.objects.count(),
    }


class _Flow:
    def __init__(self, *, seed: int, clock: _Clock, say):
        from fangkong.accounts.models import User

        self.rng = random.Random(seed)
        self.people = _People(self.rng)
        self.clock = clock
        self.say = say
        self.seed = seed
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in=["hq", "qibin", "taishanlu", "qinghuayuan", "qinghuayuan2", "checkpoint", "clinic"]
            )
        }
        self.hq, self.qibin, self.taishanlu = users["hq"], users["qibin"], users["taishanlu"]
        self.grid, self.checkpoint_staff = users["qinghuayuan"], users["checkpoint"]
        self.key_n = 0
        self.self_reports = 0
        self.overdue_left = 0

    def key(self, kind: str) -> str:
        self.key_n += 1
        return f"demo-{self.seed}-{kind}-{self.key_n}"

    def run(self) -> dict:
        self.setup_checkpoints()
        self.setup_risk_areas()
        self.setup_rosters()
        self.history_in_qinghuayuan()
        self.recent_passages()
        self.local_traffic()
        self.campaign()
        self.deliveries()
        self.self_report()
        self.release_request()
        counts = existing_counts()
        self.summary(counts)
        return counts

    # -------------------------------------------------------- checkpoints, norms, risk areas

    def setup_checkpoints(self) -> None:
        from fangkong.checkpoints.models import WorkNorm
        from fangkong.checkpoints.services import checkpoint_create, work_norm_create

        self.clock.at(self.clock.day(20, 8))
        # The city-level checkpoints sit in 淇滨区 (where they physically are), so
        # the demo's 淇滨区 checkpoint staff may register passages at them.
        spec = [
            ("station", self.hq, "city", QIBIN, "鹤壁东站", "railway_station", "高铁站出站口"),
            ("expressway", self.hq, "city", QIBIN, "京港澳高速鹤壁出口", "expressway_exit", "收费站出口广场"),
            ("s302", self.qibin, "county", QIBIN, "淇滨区S302省道大河涧卡点", "highway", "S302与淇河路交叉口"),
            ("busstation", self.qibin, "county", QIBIN, "鹤壁汽车客运总站", "bus_station", "到达层出口"),
            ("xunxian", self.hq, "county", XUNXIAN, "浚县G107国道卡点", "highway", "G107浚县北入口"),
            ("gate", self.taishanlu, "community", QINGHUAYUAN, "清华园社区小区大门", "compound_gate", "小区南门"),
        ]
        self.cp = {}
        for tag, actor, level, code, name, kind, location in spec:
            self.cp[tag] = checkpoint_create(
                actor=actor, level=level, division_code=code, name=name, kind=kind, location=location
            )
        if not WorkNorm.objects.exists():
            norms = {
                "city": [
                    "逐人测温，体温≥37.3℃的立即复测并报告",
                    "核验身份证件和行程，来自风险地区的逐人登记",
                    "车辆逐车检查，登记车牌和同车人员",
                ],
                "county": ["逐人测温、逐车登记", "发热人员就地留观，联系120转运发热门诊", "交接班时清点防护物资"],
                "community": ["只留一个出入口，24小时值守", "外来人员一律登记并通知网格员", "居家隔离人员不得外出"],
            }
            for level, texts in norms.items():
                for text in texts:
                    work_norm_create(actor=self.hq, level=level, text=text)

    def setup_risk_areas(self) -> None:
        from fangkong.checkpoints.services import risk_area_create

        self.clock.at(self.clock.day(20, 9))
        today = self.clock.today
        risk_area_create(
            actor=self.hq,
            origin_code="4201",
            level="high",
            starts_on=today - dt.timedelta(days=30),
            note="指挥部通告：武汉市为高风险地区",
        )
        risk_area_create(
            actor=self.hq,
            origin_code="4115",
            level="medium",
            starts_on=today - dt.timedelta(days=20),
            ends_on=today + dt.timedelta(days=10),
            note="信阳市毗邻湖北，按中风险地区管理",
        )
        self.n_risk = 2

    def setup_rosters(self) -> None:
        """12-hour shifts (08:00/20:00) from the one under way to three days on;
        浚县 leaves tomorrow night open, so the roster-gap display has something."""
        from fangkong.checkpoints.models import WorkNorm
        from fangkong.checkpoints.services import shift_check, shift_create, shift_handover

        self.clock.restore()
        now = self.clock.real_now
        local = timezone.localtime(now)
        anchor = local.replace(hour=8 if local.hour >= 8 else 20, minute=0, second=0, microsecond=0)
        if local.hour < 8:
            anchor -= dt.timedelta(days=1)
        elif local.hour >= 20:
            anchor = anchor.replace(hour=20)
        volunteers = [
            "党员先锋队 刘建军、王海燕",
            "志愿者 孙立新",
            "民警 郭振华、辅警 何晓东",
            "志愿者 马玉兰、曹文博",
            "村医 冯春梅",
        ]
        # The demo checkpoint account works at 鹤壁东站 (its home page leads there);
        # the other 淇滨区 checkpoints are held by police and volunteers.
        staff = {"station": self.checkpoint_staff, "gate": self.grid}
        manager = {
            "station": self.qibin,
            "expressway": self.qibin,
            "s302": self.qibin,
            "busstation": self.qibin,
            "xunxian": self.hq,
            "gate": self.taishanlu,
        }
        self.current_shifts = []
        for tag, checkpoint in self.cp.items():
            for i in range(6):
                if tag == "xunxian" and i == 3:
                    continue  # the gap: nobody rostered
                starts = anchor + dt.timedelta(hours=12 * i)
                user = staff.get(tag)
                # The demo checkpoint account works the day shifts; volunteers hold the nights.
                ids = [user.pk] if user is not None and (i % 2 == 0 or tag == "gate") else []
                shift = shift_create(
                    actor=manager[tag],
                    checkpoint=checkpoint,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=12),
                    staff_ids=ids,
                    volunteers=volunteers[(i + len(tag)) % len(volunteers)],
                )
                if i == 0:
                    self.current_shifts.append((tag, shift))
        # The shift under way at 鹤壁东站: two norms ticked, a handover note.
        for tag, shift in self.current_shifts:
            if tag == "station":
                for norm in WorkNorm.objects.filter(level="city", active=True).order_by("position")[:2]:
                    shift_check(actor=self.checkpoint_staff, shift=shift, norm=norm, checked=True)
                shift_handover(
                    actor=self.checkpoint_staff,
                    shift=shift,
                    note="上一班登记旅客若干名，1名发热旅客已由120转运至市人民医院发热门诊；额温枪电池已更换。",
                )

    # -------------------------------------------------------- passages

    def register(
        self,
        *,
        at: dt.datetime,
        tag: str,
        who: dict,
        origin: str = "",
        destination: str = "",
        temperature: str = "36.5",
        direction: str = "in",
        plate: str = "",
        purpose: str = "return_home",
        passengers: list[dict] | None = None,
    ):
        from fangkong.checkpoints.services import PassageIn, passage_register

        when = self.clock.at(at)
        actor = self.grid if tag == "gate" else self.checkpoint_staff
        item = PassageIn(
            direction=direction,
            temperature=temperature,
            origin=origin,
            destination=destination,
            plate=plate,
            purpose=purpose,
            client_key=self.key("p"),
            registered_at=when,
            **who,
        )
        others = [PassageIn(direction="", temperature=p.pop("temperature", "36.4"), **p) for p in passengers or []]
        return passage_register(actor=actor, checkpoint=self.cp[tag], passage=item, passengers=others)

    def temperature(self, fever: bool) -> str:
        if fever:
            return str(Decimal(self.rng.randint(375, 385)) / 10)
        return str(Decimal(self.rng.randint(358, 369)) / 10)

    def recent_passages(self, n: int = 40) -> None:
        """``n`` passages over the last three days at the 淇滨区 checkpoints and
        清华园's gate: most inbound to communities of the city (a third of those to
        清华园社区), some feverish or from a risk area, a few outbound."""
        from django.db.models import Q

        from fangkong.checkpoints.services import passage_recheck
        from fangkong.people.models import Person
        from fangkong.regions.models import Division

        communities = list(
            Division.objects.filter(level="community", code__startswith="4106")
            .exclude(code=QINGHUAYUAN)
            .order_by("code")
            .values_list("code", flat=True)
        )
        elsewhere = self.rng.sample(communities, min(12, len(communities)))
        # Residents of the city coming home (their own registry numbers).
        residents = list(
            Person.objects.filter(doc_type="ric", division_code__startswith=QIBIN)
            .exclude(Q(division_code__startswith=QINGHUAYUAN) | Q(doc_cipher=""))
            .order_by("id")[:400]
        )
        residents = self.rng.sample(residents, min(6, len(residents)))
        real = self.clock.real_now
        times = sorted(real - dt.timedelta(minutes=self.rng.randint(20, 72 * 60)) for _ in range(n))
        # Scripted for 清华园社区's queue: two feverish, two from Wuhan, one from 信阳 — flagged first.
        scripted = {
            3: ("4201", False),
            11: ("4101", True),
            19: ("4115", False),
            27: ("4201", True),
            33: ("31", False),
            36: ("4403", False),
            38: ("4201", False),
        }
        rechecks = []
        for i, at in enumerate(times):
            tag = self.rng.choices(["station", "expressway", "s302", "busstation", "gate"], [5, 5, 3, 3, 2])[0]
            if i == 3:
                tag = "expressway"
            if i in scripted:
                origin, fever = scripted[i]
                destination = QINGHUAYUAN
            else:
                origin, fever = self.people.origin(), self.rng.random() < 0.1
                destination = QINGHUAYUAN if (tag == "gate" or self.rng.random() < 0.1) else self.rng.choice(elsewhere)
            if i not in scripted and self.rng.random() < 0.15 and tag != "gate":
                # Outbound: leaving for work elsewhere.
                who = self.people.traveller("4101") if not residents else _registry_traveller(residents.pop())
                going = self.rng.choice(["4101", "11", "31", "4403"])
                self.register(
                    at=at,
                    tag=tag,
                    who=who,
                    direction="out",
                    destination=going,
                    temperature=self.temperature(False),
                    purpose="work",
                    plate=self.people.plate(going) if tag in ("expressway", "s302") else "",
                )
                continue
            if destination != QINGHUAYUAN and residents and self.rng.random() < 0.3:
                who = _registry_traveller(residents.pop())
            else:
                who = self.people.traveller(origin)
            plate = self.people.plate(origin) if tag in ("expressway", "s302") else ""
            passengers = None
            if i == 3:
                # A family car from Wuhan: the driver and two passengers in one go.
                passengers = [
                    dict(self.people.traveller(origin), temperature=self.temperature(False)) for _ in range(2)
                ]
            purpose = self.rng.choice(["return_home"] * 5 + ["visit", "work"])
            reg = self.register(
                at=at,
                tag=tag,
                who=who,
                origin=origin,
                destination=destination,
                temperature=self.temperature(fever),
                plate=plate,
                purpose=purpose,
                passengers=passengers,
            )
            if fever:
                rechecks.append((reg.first, at))
        for k, (passage, at) in enumerate(rechecks):
            actor = self.grid if passage.checkpoint_id == self.cp["gate"].pk else self.checkpoint_staff
            self.clock.at(at + dt.timedelta(minutes=10))
            if k % 2 == 0:
                passage_recheck(actor=actor, passage=passage, temperature="37.6", outcome="transferred")
            else:
                passage_recheck(actor=actor, passage=passage, temperature="36.9", outcome="released")
        self.clock.restore()

    def local_traffic(self) -> None:
        """Two residents of 清华园社区 through their own gate, out in the morning
        and back in the evening of each of the last two days: every passage is
        recorded, none queues an arrival (the queue rule: they come from inside
        the city and are registered there)."""
        from fangkong.people.models import Person

        residents = list(
            Person.objects.filter(division_code__startswith=QINGHUAYUAN, doc_type="ric")
            .exclude(doc_cipher="")
            .order_by("-id")[:2]
        )
        for days_ago in (2, 1):
            for person in residents:
                who = _registry_traveller(person)
                for hour, direction, place in ((7, "out", "4106"), (18, "in", "4106")):
                    at = self.clock.day(days_ago, hour, self.rng.randint(0, 59))
                    self.register(
                        at=at,
                        tag="gate",
                        who=who,
                        direction=direction,
                        purpose="work",
                        origin=place if direction == "in" else "",
                        destination=QINGHUAYUAN if direction == "in" else place,
                        temperature=self.temperature(False),
                    )
        self.clock.restore()

    # -------------------------------------------------------- 清华园社区: returnees and their follow-ups

    def confirm(self, arrival, *, at: dt.datetime, measure: str, reason: str, household=None):
        from fangkong.screening.services import returnee_confirm

        self.clock.at(at)
        return returnee_confirm(
            user=self.grid, arrival=arrival, measure=measure, measure_reason=reason, household=household
        )

    def record_checks(
        self, followup, *, through: dt.date, fever_slot: tuple[dt.date, int] | None = None, skip_last: int = 0
    ) -> int:
        """Record the follow-up's scheduled checks up to ``through`` (less the
        last ``skip_last``, left overdue) the way the grid worker did: inside
        each window, normal temperatures, one fever with symptoms."""
        from fangkong.followups.models import HealthCheck
        from fangkong.followups.services import health_check_record

        done = 0
        last = timezone.now()
        checks = list(
            HealthCheck.objects.filter(followup=followup, status="due", slot_date__lte=through).order_by("window_start")
        )
        for check in checks[: len(checks) - skip_last]:
            at = max(
                check.window_start + dt.timedelta(minutes=self.rng.randint(15, 200)), last + dt.timedelta(minutes=2)
            )
            if at >= self.clock.real_now:
                break
            last = self.clock.at(at)
            fever = fever_slot == (check.slot_date, check.slot)
            temperature = "37.8" if fever else str(Decimal(self.rng.randint(360, 368)) / 10)
            symptoms = ["fever", "cough"] if fever else []
            note = "自述咽部不适，已电话告知社区医生" if fever else ""
            health_check_record(
                user=self.grid,
                check=check,
                temperature=temperature,
                symptoms=symptoms,
                note=note,
                client_key=self.key("hc"),
            )
            done += 1
        return done

    def history_in_qinghuayuan(self) -> None:
        """Four returnees confirmed over the last two weeks: one home quarantine
        now complete (its release waits for a second person), one with a fever
        check → referral, two still under way; and a health monitoring."""
        from fangkong.followups.models import FollowUp
        from fangkong.people.models import Household, Person
        from fangkong.screening.services import arrival_dismiss

        households = list(Household.objects.filter(division_code__startswith=QINGHUAYUAN).order_by("id"))
        residents = list(
            Person.objects.filter(division_code__startswith=QINGHUAYUAN, doc_type="ric")
            .exclude(doc_cipher="")
            .order_by("id")
        )
        c = self.clock
        yesterday = c.today - dt.timedelta(days=1)

        def arrive(days_ago, hour, tag, origin, who=None, fever=False):
            who = who or self.people.traveller(origin)
            plate = self.people.plate(origin) if tag in ("expressway", "s302") else ""
            reg = self.register(
                at=c.day(days_ago, hour, self.rng.randint(0, 59)),
                tag=tag,
                who=who,
                origin=origin,
                destination=QINGHUAYUAN,
                temperature=self.temperature(fever),
                plate=plate,
            )
            return reg.first.arrival

        def home(i):
            return households[i % len(households)] if households else None

        # 14 days ago, from Wuhan: home quarantine, every check done → release requested today.
        a = arrive(14, 9, "station", "4201")
        r = self.confirm(
            a,
            at=c.day(14, 15),
            measure="home_quarantine",
            reason="14天内来自高风险地区武汉市，居家隔离14天",
            household=home(0),
        )
        self.release_followup = FollowUp.objects.get(pk=r.followup_id)
        self.record_checks(self.release_followup, through=yesterday)

        # 6 days ago, from Wuhan: a fever on the morning check two days ago → referral (left open).
        a = arrive(6, 10, "expressway", "4201")
        r = self.confirm(
            a,
            at=c.day(6, 13),
            measure="home_quarantine",
            reason="来自高风险地区武汉市，居家隔离14天",
            household=home(1),
        )
        fu = FollowUp.objects.get(pk=r.followup_id)
        self.record_checks(fu, through=c.today - dt.timedelta(days=2), fever_slot=(c.today - dt.timedelta(days=2), 0))
        self.fever_followup = fu

        # 4 days ago, from 信阳 (medium risk): home quarantine; yesterday's checks not done → overdue.
        a = arrive(4, 8, "busstation", "4115")
        r = self.confirm(
            a,
            at=c.day(4, 11),
            measure="home_quarantine",
            reason="来自中风险地区信阳市，居家隔离14天",
            household=home(2),
        )
        self.q3 = FollowUp.objects.get(pk=r.followup_id)
        self.record_checks(self.q3, through=c.today - dt.timedelta(days=2))

        # 3 days ago, from 郑州 (no risk): health monitoring, checks up to date.
        a = arrive(3, 17, "station", "4101")
        r = self.confirm(
            a,
            at=c.day(3, 19, 30),
            measure="health_monitoring",
            reason="14天内自外地返回，健康监测14天",
            household=home(3),
        )
        self.record_checks(FollowUp.objects.get(pk=r.followup_id), through=yesterday)

        # 2 days ago, a resident of 清华园 back from Wuhan: home quarantine; yesterday afternoon's check missed.
        who = _registry_traveller(residents[0]) if residents else None
        a = arrive(2, 8, "gate", "4201", who=who)
        r = self.confirm(
            a,
            at=c.day(2, 10),
            measure="home_quarantine",
            reason="本社区居民自武汉返回，居家隔离14天",
            household=residents[0].household if residents and residents[0].household_id else home(4),
        )
        self.q4 = FollowUp.objects.get(pk=r.followup_id)
        self.record_checks(self.q4, through=yesterday, skip_last=1)

        # A driver passing through, bound for 清华园 by mistake: dismissed.
        a = arrive(1, 16, "s302", "4107")
        self.clock.at(c.day(1, 18))
        arrival_dismiss(user=self.grid, arrival=a, reason="途经鹤壁，不在本社区居住（电话核实）")
        self.clock.restore()

    # -------------------------------------------------------- door to door

    def campaign(self) -> None:
        from fangkong.people.models import Household
        from fangkong.screening.services import FoundReturnee, campaign_start, visit_record

        c = self.clock
        c.at(c.day(3, 8, 30))
        campaign = campaign_start(
            user=self.grid,
            division_code=QINGHUAYUAN,
            name="清华园社区第二轮入户排查",
            starts_on=c.today - dt.timedelta(days=3),
            ends_on=c.today + dt.timedelta(days=4),
            note="逐户敲门，外地返回人员逐人登记",
        )
        households = list(Household.objects.filter(division_code__startswith=QINGHUAYUAN).order_by("id"))
        visited = households[: max(1, len(households) * 2 // 3)] if households else []
        real = c.real_now
        start = c.day(3, 9)
        span = max(60, int((real - start).total_seconds() // 60) - 30)
        times = sorted(start + dt.timedelta(minutes=self.rng.randint(0, span)) for _ in visited)
        found_done = False
        for household, at in zip(visited, times, strict=False):
            c.at(at)
            roll = self.rng.random()
            if not found_done and roll < 0.5 and at.date() < real.date():
                origin = "4403"
                who = self.people.traveller(origin)
                visit_record(
                    user=self.grid,
                    campaign=campaign,
                    household=household,
                    result="returnees",
                    note="家中有一名外地返回人员，已登记",
                    client_key=self.key("v"),
                    returnees=[
                        FoundReturnee(
                            name=who["name"],
                            doc_number=who["doc_number"],
                            phone=who["phone"],
                            origin_code=origin,
                            arrived_on=timezone.localdate() - dt.timedelta(days=1),
                            travel_mode="train",
                            travel_number="G79",
                        )
                    ],
                )
                found_done = True
            elif roll < 0.22:
                visit_record(
                    user=self.grid,
                    campaign=campaign,
                    household=household,
                    result="nobody_home",
                    note="敲门无人应答，已在门上张贴告知书",
                    client_key=self.key("v"),
                )
            else:
                visit_record(
                    user=self.grid, campaign=campaign, household=household, result="none", client_key=self.key("v")
                )
        c.restore()

    # -------------------------------------------------------- care deliveries

    def deliveries(self) -> None:
        from fangkong.followups.services import (
            delivery_mark_delivered,
            delivery_request_create,
            delivery_take,
        )
        from fangkong.people.models import Person

        c = self.clock
        q3_person = Person.objects.get(pk=self.q3.person_id)
        fever_person = Person.objects.get(pk=self.fever_followup.person_id)
        # Two days ago: vegetables for the 信阳 returnee, taken by a volunteer and delivered.
        c.at(c.day(2, 9, 10))
        d, _ = delivery_request_create(
            user=self.grid,
            person=q3_person,
            category="food",
            items="蔬菜一袋、鸡蛋两斤、挂面",
            needed_by=c.day(2, 17),
            client_key=self.key("d"),
        )
        c.at(c.day(2, 10, 5))
        delivery_take(user=self.grid, delivery=d, volunteer_name="志愿者 李红")
        c.at(c.day(2, 15, 40))
        delivery_mark_delivered(user=self.grid, delivery=d, note="放在门口，已电话告知")
        # Yesterday: medicine for the Wuhan returnee, on its way.
        c.at(c.day(1, 9, 30))
        d, _ = delivery_request_create(
            user=self.grid,
            person=fever_person,
            category="medicine",
            items="降压药（硝苯地平缓释片）一盒",
            needed_by=c.day(1, 9, 30) + dt.timedelta(days=2),
            note="家属已付款，药店备好",
            client_key=self.key("d"),
        )
        c.at(c.day(1, 11))
        delivery_take(user=self.grid, delivery=d, volunteer_name="党员志愿者 王建国")
        # Just now: an open request for an elderly person living alone (or a quarantined one).
        elderly = (
            Person.objects.filter(division_code__startswith=QINGHUAYUAN, tag_elderly_alone=True).order_by("id").first()
        )
        person = elderly or Person.objects.get(pk=self.q4.person_id)
        c.at(c.real_now - dt.timedelta(minutes=20))
        delivery_request_create(
            user=self.grid,
            person=person,
            category="necessities",
            items="卫生纸、洗衣液、大米10斤",
            needed_by=c.real_now + dt.timedelta(hours=8),
            client_key=self.key("d"),
        )
        c.restore()

    # -------------------------------------------------------- self-reports

    def self_report(self) -> None:
        from fangkong.regions.models import Division
        from fangkong.screening.services import SelfReport, self_report_submit

        c = self.clock
        other = (
            Division.objects.filter(level="community", code__startswith=TAISHANLU)
            .exclude(code=QINGHUAYUAN)
            .order_by("code")
            .first()
        )
        reports = [
            (QINGHUAYUAN, "3301", "清华园社区3号楼2单元501", "self", "train", "G1874", 95),
            (other.code if other else QINGHUAYUAN, "11", "泰山路街道某小区6号楼", "family", "car", "", 40),
        ]
        for code, origin, address, reporter, mode, number, minutes in reports:
            who = self.people.traveller(origin)
            c.at(c.real_now - dt.timedelta(minutes=minutes))
            self_report_submit(
                report=SelfReport(
                    name=who["name"],
                    doc_number=who["doc_number"],
                    phone=who["phone"],
                    origin_code=origin,
                    arrived_on=timezone.localdate() - dt.timedelta(days=1) if minutes > 60 else timezone.localdate(),
                    destination_code=code,
                    address=address,
                    travel_mode=mode,
                    travel_number=number,
                    reporter=reporter,
                )
            )
            self.self_reports += 1
        c.restore()

    # -------------------------------------------------------- two-person release

    def release_request(self) -> None:
        from fangkong.followups.services import followup_release_request

        self.clock.at(self.clock.real_now - dt.timedelta(minutes=5))
        followup_release_request(
            user=self.grid, followup=self.release_followup, reason="隔离期满14天，每日两次体温均正常，申请解除居家隔离"
        )
        self.clock.restore()

    # -------------------------------------------------------- summary

    def summary(self, counts: dict) -> None:
        from fangkong.approvals.models import ApprovalRequest
        from fangkong.checkpoints.models import Passage
        from fangkong.followups.models import DeliveryRequest, HealthCheck, Referral
        from fangkong.screening.models import Arrival, VisitAttempt

        now = self.clock.real_now
        say = self.say
        p = Passage.objects
        say(
            f"==> checkpoints: {counts['checkpoints']} (city, county, community), {counts['shifts']} shifts "
            f"(浚县 has a roster gap tomorrow night), {counts['risk_areas']} risk areas (武汉市 high, 信阳市 medium)"
        )
        say(
            f"==> passages: {counts['passages']} ({p.filter(direction='in').count()} in, "
            f"{p.filter(direction='out').count()} out, {p.filter(fever=True).count()} feverish, "
            f"{p.filter(risk_area=True).count()} from risk areas)"
        )
        q = Arrival.objects.filter(division_code__startswith=QINGHUAYUAN)
        say(
            f"==> arrivals: {counts['arrivals']} in all; 清华园社区 {q.filter(status='pending').count()} pending "
            f"({q.filter(status='pending', flagged=True).count()} flagged), {counts['returnees']} returnees confirmed, "
            f"{self.self_reports} self-reports"
        )
        hc = HealthCheck.objects
        say(
            f"==> follow-ups: {counts['followups']}, {counts['checks_done']} checks done, "
            f"{hc.filter(status='due', window_end__lt=now).count()} overdue, "
            f"{Referral.objects.filter(status='open').count()} open referral(s), "
            f"{ApprovalRequest.objects.filter(status='pending').count()} release(s) awaiting a second person"
        )
        say(
            f"==> door to door: {counts['campaigns']} campaign, {counts['visits']} households visited "
            f"({VisitAttempt.objects.filter(result='nobody_home').count()} nobody home → revisit)"
        )
        d = DeliveryRequest.objects
        say(
            f"==> care deliveries: {d.filter(status='open').count()} open, {d.filter(status='taken').count()} taken, "
            f"{d.filter(status='delivered').count()} delivered"
        )
