"""Quarters of the year: what a quarterly report covers and when it is due (seed 001, section 6)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1–4

    def __post_init__(self):
        if not 1 <= self.number <= 4:
            raise ValueError(f"A quarter is numbered 1 to 4, not {self.number}.")

    def __str__(self):
        return f"{self.year}-Q{self.number}"

    @classmethod
    def of(cls, day: datetime.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> "Quarter":
        return cls.of(timezone.localdate())

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """'2026-Q3' (as in URLs and exports)."""
        year, _, number = text.upper().partition("-Q")
        return cls(int(year), int(number))

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        return self.next.start - datetime.timedelta(days=1)

    @property
    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def deadline(self) -> datetime.date:
        """The report is due this many days after the quarter ends (REPORT_DEADLINE_DAYS)."""
        return self.end + datetime.timedelta(days=settings.REPORT_DEADLINE_DAYS)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end
