"""Who holds the posts an organisation's pack names (panel members, "Assistant Director, ..."): HR records them."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.tables import Person, PostHolder


def assign_post(session: Session, org_id: str, post: str, person_id: int, assigned_by: int | None) -> bool:
    """Record that the person holds the post; False when they already did."""
    insert = dialect_insert(session, PostHolder).values(
        org_id=org_id, post=post, person_id=person_id, assigned_by=assigned_by
    )
    done = session.execute(
        insert.on_conflict_do_nothing(index_elements=["org_id", "post", "person_id"]).returning(PostHolder.id)
    ).first()
    return done is not None


def release_post(session: Session, org_id: str, post: str, person_id: int) -> bool:
    statement = (
        delete(PostHolder)
        .where(PostHolder.org_id == org_id, PostHolder.post == post, PostHolder.person_id == person_id)
        .returning(PostHolder.id)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).first() is not None


def holders(session: Session, org_id: str, posts: list[str]) -> list[Person]:
    """Active people holding any of the posts, in a stable order."""
    if not posts:
        return []
    query = (
        select(Person)
        .join(PostHolder, PostHolder.person_id == Person.id)
        .where(PostHolder.org_id == org_id, PostHolder.post.in_(posts), Person.active)
        .distinct()
        .order_by(Person.id)
    )
    return list(session.scalars(query))


def posts_of(session: Session, person_id: int) -> set[str]:
    return set(session.scalars(select(PostHolder.post).where(PostHolder.person_id == person_id)))
