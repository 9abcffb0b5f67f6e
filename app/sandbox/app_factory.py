"""The simulator's Flask app factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response
from flask.json.provider import DefaultJSONProvider

from .errors import ApiError
from .formats import rails_json
from .pages import page_routes
from .routes_account import account_routes
from .routes_contacts import contact_routes
from .routes_control import control_routes
from .routes_conversations import conversation_routes
from .simulator import ChatwootSimulator
from .web import EXTENSION_KEY, apply_faults, record_request, render_api_error, save_changes


class RailsJSONProvider(DefaultJSONProvider):
    """Render JSON like Rails: compact, key order kept, `< > &` escaped."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Encode with Rails escaping."""
        return rails_json(obj)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """A JSON response without the trailing newline Flask adds (Rails sends none)."""
        body = self.dumps(self._prepare_response_obj(args, kwargs))
        return self._app.response_class(body, mimetype="application/json")


def create_simulator_app(sim: ChatwootSimulator) -> Flask:
    """A standalone Flask app that speaks Chatwoot's Application API from `sim`'s state, plus its own pages."""
    app = Flask(__name__)
    app.json = RailsJSONProvider(app)
    app.extensions[EXTENSION_KEY] = sim
    app.before_request(apply_faults)
    app.after_request(record_request)
    app.after_request(save_changes)
    app.register_error_handler(ApiError, render_api_error)
    for blueprint in (account_routes, contact_routes, conversation_routes, control_routes, page_routes):
        app.register_blueprint(blueprint)
    return app
