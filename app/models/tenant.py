"""Tenants: the salons, each with its own settings, clients and users."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin
from app.phone import configured_region


class Tenant(IdMixin, TimestampMixin, Base):
    __tablename__ = "tenants"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="America/Mexico_City")
    phone_region: Mapped[str] = mapped_column(String(2), default=configured_region)

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"
