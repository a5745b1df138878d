"""SQLAlchemy storage: tables, repositories, the unit of work and batch readers."""
