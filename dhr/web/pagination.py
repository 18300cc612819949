"""Page numbers for the GOV.UK pagination component (first, last and the pages around the
current one, with gaps shown as an ellipsis)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pagination:
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first_shown(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last_shown(self) -> int:
        return min(self.offset + self.per_page, self.total)

    def items(self) -> list[int | None]:
        """Page numbers to link, None where some are left out."""
        wanted = sorted({1, self.pages, self.page - 1, self.page, self.page + 1}
                        & set(range(1, self.pages + 1)))
        items: list[int | None] = []
        for number in wanted:
            if items and number - (items[-1] or 0) > 1:
                items.append(None)
            items.append(number)
        return items


def page_number(raw: str | None, per_page: int, total: int) -> Pagination:
    """The requested page, clamped to those that exist (bad input shows the first)."""
    pages = max(1, -(-total // per_page))
    number = int(raw) if raw and raw.isdigit() and len(raw) < 10 else 1
    return Pagination(min(max(number, 1), pages), per_page, total)
