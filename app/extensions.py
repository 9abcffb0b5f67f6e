"""Extensions, created unbound; create_app binds them."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from huey import Huey
from huey.storage import MemoryStorage

from app.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# Storage is chosen in init_queue (SQLite file or Redis); tasks register against this object at import.
huey = Huey("citaplanner", storage_class=MemoryStorage, results=False, utc=True)
