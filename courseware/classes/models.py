from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import utcnow


class Classroom(db.Model):
    """A rombel such as "XI OTKP 1" for one academic year, run by one teacher."""

    __tablename__ = "classrooms"
    __table_args__ = (UniqueConstraint("teacher_id", "name", "academic_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    academic_year: Mapped[str] = mapped_column(String(9))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    join_open: Mapped[bool] = mapped_column(default=True)
    # Archived: gone from menus, dashboards and join codes; every record stays reachable.
    archived: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    teacher = relationship("User", lazy="joined")
    enrollments: Mapped[list["Enrollment"]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan", order_by="Enrollment.id"
    )

    @property
    def label(self) -> str:
        return f"{self.name} ({self.academic_year})"


class Enrollment(db.Model):
    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("classroom_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_via: Mapped[str] = mapped_column(String(12), default="roster")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="enrollments")
    user = relationship("User", lazy="joined")
