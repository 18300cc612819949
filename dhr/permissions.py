"""Who may see and change what. Deny by default: every view asks one of these.

Each predicate has a matching SQL clause so lists are filtered by the same rule
that guards single objects.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, select, true

from dhr.models import Csp, PoolMember, Review, User
from dhr.models.pool import pool_member_areas
from dhr.models.states import PUBLISHED_STATES

COUNTY_ROLES = frozenset({"coordinator", "subgroup_member"})
EDITOR_ROLES = frozenset({"admin", "coordinator", "csp_manager"})


def _own_pool_member_ids(user: User):
    return select(PoolMember.id).where(PoolMember.user_id == user.id).scalar_subquery()


def published_reviews_clause() -> ColumnElement[bool]:
    """SQL condition for Review.is_published: what practitioners (and, where the deployment
    allows it, anyone without signing in) may read."""
    return and_(Review.state.in_(PUBLISHED_STATES), Review.is_withheld.is_(False))


def visible_reviews_clause(user: User) -> ColumnElement[bool]:
    """SQL condition selecting the reviews `user` may see."""
    if user.role == "admin":
        return true()
    if user.role in COUNTY_ROLES:
        area_csps = select(Csp.id).where(Csp.area_id == user.area_id).scalar_subquery()
        return Review.csp_id.in_(area_csps)
    if user.role == "csp_manager":
        ids = user.csp_ids
        return Review.csp_id.in_(ids) if ids else false()
    if user.role == "chair":
        mine = _own_pool_member_ids(user)
        return Review.chair_id.in_(mine) | Review.report_writer_id.in_(mine)
    if user.role == "practitioner":
        return published_reviews_clause()
    return false()


def can_view_review(user: User, review: Review) -> bool:
    if user.role == "admin":
        return True
    if user.role in COUNTY_ROLES:
        return review.csp.area_id == user.area_id
    if user.role == "csp_manager":
        return review.csp_id in user.csp_ids
    if user.role == "chair":
        appointed = {m.user_id for m in (review.chair, review.report_writer) if m is not None}
        return user.id in appointed
    if user.role == "practitioner":
        return review.is_published
    return False


def can_edit_review(user: User, review: Review) -> bool:
    """May change the review's facts (and read its identifying terms)."""
    return user.role in EDITOR_ROLES and can_view_review(user, review)


def can_export_review(user: User, review: Review) -> bool:
    """Everything held about a review (identifying terms, every draft) leaves the system only
    through an administrator or the coordinator of its area."""
    return user.role in {"admin", "coordinator"} and can_view_review(user, review)


def sees_restricted_detail(user: User) -> bool:
    """Practitioners only ever see the published, anonymised view of a review."""
    return user.role != "practitioner"


def visible_csps_clause(user: User) -> ColumnElement[bool]:
    if user.role in {"admin", "practitioner"}:
        return true()
    if user.role in COUNTY_ROLES:
        return Csp.area_id == user.area_id
    if user.role == "csp_manager":
        ids = user.csp_ids
        return Csp.id.in_(ids) if ids else false()
    if user.role == "chair":
        return Csp.id.in_(select(Review.csp_id).where(visible_reviews_clause(user)))
    return false()


def can_create_review_in(user: User, csp: Csp) -> bool:
    if user.role == "admin":
        return True
    if user.role == "coordinator":
        return csp.area_id == user.area_id
    if user.role == "csp_manager":
        return csp.id in user.csp_ids
    return False


def can_create_reviews(user: User) -> bool:
    return user.role in EDITOR_ROLES


# The chair pool ----------------------------------------------------------------------------
# A member serves the areas recorded on them, or every area when none is. Pool staff see the
# members serving their own area(s); contact details go only to those who appoint there.

POOL_STAFF_ROLES = frozenset({"coordinator", "csp_manager", "subgroup_member"})
CONTACT_ROLES = frozenset({"coordinator", "csp_manager"})  # appoint_chair (DOMAIN.md)


def pool_area_ids(user: User) -> set[int]:
    """The areas whose pool members `user` works with (not meaningful for admins)."""
    if user.role in COUNTY_ROLES:
        return {user.area_id} if user.area_id is not None else set()
    if user.role == "csp_manager":
        return {csp.area_id for csp in user.csps}
    return set()


def _serves_any(area_ids: set[int]) -> ColumnElement[bool]:
    served = select(pool_member_areas.c.member_id)
    return (~PoolMember.id.in_(served)
            | PoolMember.id.in_(served.where(pool_member_areas.c.area_id.in_(area_ids))))


def visible_pool_members_clause(user: User) -> ColumnElement[bool]:
    """SQL condition selecting the pool members `user` may see."""
    if user.role == "admin":
        return true()
    if user.role == "chair":
        return PoolMember.user_id == user.id
    if user.role in POOL_STAFF_ROLES:
        return _serves_any(pool_area_ids(user))
    return false()


def _serves(member: PoolMember, area_ids: set[int]) -> bool:
    return not member.areas or any(area.id in area_ids for area in member.areas)


def can_see_pool_member(user: User, member: PoolMember) -> bool:
    if user.role == "admin":
        return True
    if user.role == "chair":
        return member.user_id == user.id
    return user.role in POOL_STAFF_ROLES and _serves(member, pool_area_ids(user))


def sees_pool_contact(user: User, member: PoolMember) -> bool:
    """E-mail and phone: the member themselves, admins, and those who appoint chairs in an
    area the member serves (its coordinator, the managers of its CSPs); never sub-group
    members, practitioners or other areas."""
    if user.role == "admin" or (member.user_id is not None and member.user_id == user.id):
        return True
    return user.role in CONTACT_ROLES and _serves(member, pool_area_ids(user))
