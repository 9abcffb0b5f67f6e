"""Login, logout, throttling, CSRF, cookies and security headers."""

from tests.conftest import PASSWORD, Browser, csrf_from


def test_login_page_is_spanish_by_default(visitor):
    page = visitor.get("/login")
    assert page.status_code == 200
    assert "Iniciar sesión" in page.text
    assert 'lang="es-MX"' in page.text


def test_an_english_browser_still_gets_spanish_until_the_user_picks_english(visitor):
    page = visitor.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Iniciar sesión" in page.text and 'lang="es-MX"' in page.text


def test_login_and_logout(app, staff_user, tenant):
    b = Browser(app)
    response = b.login(staff_user.email)
    assert response.status_code == 302
    overview = b.get("/", follow_redirects=True)
    assert tenant.name in overview.text and "Resumen" in overview.text
    assert b.post("/logout").status_code == 302
    assert b.get("/t/uno/").status_code == 302  # back to login


def test_wrong_password_is_refused(app, staff_user):
    b = Browser(app)
    response = b.login(staff_user.email, "wrong password!")
    assert response.status_code == 401
    assert "Correo o contraseña incorrectos" in response.text


def test_throttling_blocks_even_the_right_password(app, staff_user):
    b = Browser(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert b.login(staff_user.email, "nope nope nope").status_code == 401
    blocked = b.login(staff_user.email, PASSWORD)
    assert blocked.status_code == 429
    assert "Demasiados intentos" in blocked.text
    assert b.get("/t/uno/").status_code == 302


def test_form_without_csrf_is_rejected(app, staff_user):
    http = app.test_client()
    response = http.post("/login", data={"email": staff_user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_htmx_csrf_header_is_accepted(app, staff, staff_user):
    token = staff.csrf
    response = staff.http.post("/language", data={"lang": "en"}, headers={"X-CSRFToken": token})
    assert response.status_code == 302


def test_session_cookie_flags_and_security_headers(app, staff_user):
    http = app.test_client()
    page = http.get("/login")
    response = http.post("/login", data={"email": staff_user.email, "password": PASSWORD,
                                         "csrf_token": csrf_from(page.text)})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_no_inline_script_in_pages(admin, tenant):
    for url in ("/login", "/t/uno/"):
        html = admin.get(url).text
        assert "<script>" not in html and "onclick=" not in html


def test_language_switch_to_english(admin, tenant):
    admin.post("/language", data={"lang": "en", "next": "/t/uno/"})
    page = admin.get("/t/uno/")
    assert "Overview" in page.text and 'lang="en"' in page.text


def test_open_redirect_is_refused(app, staff_user):
    b = Browser(app)
    page = b.get("/login")
    response = b.http.post("/login?next=https://evil.example/", data={
        "email": staff_user.email, "password": PASSWORD, "csrf_token": csrf_from(page.text)})
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_every_page_has_an_icon_and_favicon_ico_answers(visitor):
    login_page = visitor.get("/login").get_data(as_text=True)
    assert 'rel="icon"' in login_page
    icon = visitor.get("/favicon.ico")
    body = icon.get_data()
    icon.close()
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in body
