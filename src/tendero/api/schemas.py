"""The shapes shared by the API, the dashboard and the CLI live in ``tendero.services.schemas``; importable from
here too for branches written before they moved."""

from tendero.services.schemas import AuditOut as AuditOut
from tendero.services.schemas import JobEventOut as JobEventOut
from tendero.services.schemas import JobOut as JobOut
from tendero.services.schemas import JobProgress as JobProgress
from tendero.services.schemas import KeyCreate as KeyCreate
from tendero.services.schemas import KeyCreated as KeyCreated
from tendero.services.schemas import KeyOut as KeyOut
from tendero.services.schemas import ModelOut as ModelOut
from tendero.services.schemas import PageOf as PageOf
from tendero.services.schemas import PromoteIn as PromoteIn
from tendero.services.schemas import Strict as Strict
from tendero.services.schemas import TrainRequestIn as TrainRequestIn
from tendero.services.schemas import VersionOut as VersionOut
