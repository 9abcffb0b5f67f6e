"""The website widget snippet: Chatwoot's SDK loader with the salon's values, safe to paste into a page."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

# json.dumps already escapes quotes, backslashes, control characters and U+2028/9; these four could still
# end the <script> element or start markup when the snippet is pasted into a page.
SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "/": "\\/"})
UNSAFE_IN_URL = re.compile(r"[\s<>\"'`\\{}|^]")

_SNIPPET = """<script>
  (function(d,t) {{
    var BASE_URL={base_url};
    var g=d.createElement(t),s=d.getElementsByTagName(t)[0];
    g.src=BASE_URL+"/packs/js/sdk.js";
    g.defer = true;
    g.async = true;
    s.parentNode.insertBefore(g,s);
    g.onload=function(){{
      window.chatwootSDK.run({{
        websiteToken: {token},
        baseUrl: BASE_URL
      }})
    }}
  }})(document,"script");
</script>"""


def is_http_url(url: str) -> bool:
    """An absolute http(s) URL with a plain host name and nothing a page could mistake for markup."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not UNSAFE_IN_URL.search(url)


def script_literal(value: str) -> str:
    """A JavaScript string literal safe inside an HTML <script>: JSON, with < > & / escaped."""
    return json.dumps(value).translate(SCRIPT_ESCAPES)


def widget_snippet(base_url: str | None, website_token: str | None) -> str | None:
    """Chatwoot's standard SDK loader for the salon's website; values escaped for a script in HTML."""
    if not (base_url and website_token and is_http_url(base_url)):
        return None
    return _SNIPPET.format(base_url=script_literal(base_url.rstrip("/")), token=script_literal(website_token))
