"""Only this package writes SQL and builds tenant paths: engine and sessions, tables, repositories, artifacts.

The table modules are imported here, so the metadata (``tables.Base``, and Alembic through it) sees every
table whichever store module is imported first; a new module of tables joins this list.
"""

from tendero.store import assistant as assistant
from tendero.store import automation_tables as automation_tables
from tendero.store import experiment_tables as experiment_tables
from tendero.store import insight_tables as insight_tables
from tendero.store import search as search
from tendero.store import sql_sources as sql_sources
from tendero.store import tables as tables
from tendero.store import tenant_settings as tenant_settings
