"""A small browser for the smoke run: plain HTTP to gunicorn, as the TLS proxy in front of it would speak.

Every request says `X-Forwarded-Proto: https` and names its client in
`X-Forwarded-For`, as the README's nginx does, so the site treats it as a
secure request from that patient. Its cookies are all Secure, which a real
cookie jar would never send over plain HTTP: this one keeps them by hand
and always sends them, as the patient's browser does over TLS.
"""

import html
import http.client
import mimetypes
import re
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit


@dataclass(frozen=True)
class Host:
    """One gunicorn, at 127.0.0.1:<port>."""

    port: int

    @property
    def origin(self):
        """The origin a browser would see through the proxy."""
        return f"https://127.0.0.1:{self.port}"


class Browser:
    """One patient's (or staff member's) browser: its own cookies, its own address, on one host at a time."""

    def __init__(self, host, address="203.0.113.10", language="en"):
        self.host = host
        self.address = address
        self.language = language
        self.cookies = {}
        # The page the next form is sent from, for the Referer a browser sends with it.
        self.last_path = "/"

    def get(self, path, follow=True):
        return self.request("GET", path, follow=follow)

    def post(self, path, data, follow=True, files=None):
        return self.request("POST", path, data=data, follow=follow, files=files)

    def submit(self, form, follow=True, files=None, **changes):
        """Send `form` as a browser would, with `changes` typed or chosen first; `files` {name: (filename, bytes[, type])}."""
        return self.post(form.action, form.values(**changes), follow=follow, files=files)

    def request(self, method, path, data=None, follow=True, files=None):
        page = self._send(method, path, data, files)
        redirects = 0
        while follow and page.status in (301, 302, 303, 307, 308):
            redirects += 1
            assert redirects <= 10, f"more than ten redirects from {method} {path}"
            page = self._send("GET", _path_of(urljoin(page.url, page.headers["Location"])), None)
        return page

    def _send(self, method, path, data, files=None):
        if files:
            body, content_type = _multipart(data or [], files)
        else:
            body = urlencode(data, doseq=True).encode() if data is not None else None
            content_type = "application/x-www-form-urlencoded"
        headers = {
            "Host": f"127.0.0.1:{self.host.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "User-Agent": "clinic-smoke-run",
            "Accept-Language": self.language,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = content_type
            # Django checks the origin of every secure POST against the host.
            headers["Origin"] = self.host.origin
            headers["Referer"] = self.host.origin + self.last_path
        connection = http.client.HTTPConnection("127.0.0.1", self.host.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for set_cookie in response.msg.get_all("Set-Cookie") or []:
                self._keep_cookie(set_cookie)
        finally:
            connection.close()
        self.last_path = path
        return Page(method, self.host.origin + path, response.status, response.msg, content.decode("utf-8", "replace"),
                    content)

    def _keep_cookie(self, header):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            # Django deletes a cookie by sending it empty with max-age=0.
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


def _multipart(fields, files):
    """A multipart/form-data body, as a browser sends a form with a file in it: (body, Content-Type)."""
    boundary = f"----clinic-smoke-run-{secrets.token_hex(12)}"
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, *kind) in files.items():
        kind = kind[0] if kind else mimetypes.guess_type(filename)[0] or "application/octet-stream"
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {kind}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _path_of(url):
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


@dataclass
class Page:
    method: str
    url: str
    status: int
    headers: object
    html: str
    content: bytes = b""  # the body as it came, for an image

    @property
    def path(self):
        return _path_of(self.url)

    @property
    def text(self):
        """What a reader sees: tags dropped, entities decoded, white space folded."""
        body = re.sub(r"<(script|style)\b.*?</\1>", " ", self.html, flags=re.DOTALL)
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()

    @property
    def forms(self):
        parser = _FormParser(self.path)
        parser.feed(self.html)
        parser.close()
        return parser.forms

    def form(self, having=None, id=None):
        """The page's form with the field `having`, or with `id`; fails with the page's text if there is none."""
        for form in self.forms:
            if (id is None or form.attrs.get("id") == id) and (having is None or form.has(having)):
                return form
        raise AssertionError(f"no form with {having or id} on {self.url} ({self.status}): {self.text[:600]}")

    def links(self, pattern):
        hrefs = [html.unescape(href) for href in re.findall(r'href="([^"]*)"', self.html)]
        return [href for href in hrefs if re.search(pattern, href)]


@dataclass
class Field:
    kind: str  # input type, "select" or "textarea"
    name: str
    value: str = ""
    checked: bool = False
    multiple: bool = False
    options: list = field(default_factory=list)  # a select's (value, selected)


@dataclass
class Form:
    attrs: dict
    page_path: str
    fields: list = field(default_factory=list)

    @property
    def action(self):
        """Where the form is sent: its action, read against the page's address; the page itself without one."""
        return _path_of(urljoin("https://host" + self.page_path, self.attrs.get("action") or self.page_path))

    def has(self, name):
        return any(f.name == name for f in self.fields)

    def choices(self, name):
        """The values a radio group or select offers."""
        values = []
        for f in self.fields:
            if f.name == name:
                values.extend([value for value, _selected in f.options] if f.kind == "select" else [f.value])
        return values

    def values(self, **changes):
        """What a browser sends: every named control (checked boxes only), with `changes` in place of theirs."""
        sent = []
        for f in self.fields:
            if f.name in changes or f.kind in ("submit", "button", "image", "reset", "file"):
                continue
            if f.kind in ("checkbox", "radio"):
                if f.checked:
                    sent.append((f.name, f.value or "on"))
            elif f.kind == "select":
                selected = [value for value, chosen in f.options if chosen]
                if not selected and f.options and not f.multiple:
                    selected = [f.options[0][0]]
                sent.extend((f.name, value) for value in selected)
            else:
                sent.append((f.name, f.value))
        for name, value in changes.items():
            if value is None:
                continue
            sent.extend((name, item) for item in (value if isinstance(value, (list, tuple)) else [value]))
        return sent


class _FormParser(HTMLParser):
    def __init__(self, page_path):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms = []
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self._form = Form(attrs, self.page_path)
            self.forms.append(self._form)
            return
        if self._form is None or ("disabled" in attrs and tag != "option"):
            return
        if tag == "input" and attrs.get("name"):
            self._form.fields.append(Field(attrs.get("type", "text").lower(), attrs["name"], attrs.get("value", ""),
                                           checked="checked" in attrs))
        elif tag == "select" and attrs.get("name"):
            self._select = Field("select", attrs["name"], multiple="multiple" in attrs)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), "selected" in attrs, ""]
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = Field("textarea", attrs["name"])
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "option":
            self._close_option()
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None

    def _close_option(self):
        if self._option is not None and self._select is not None:
            value, selected, label = self._option
            self._select.options.append((label.strip() if value is None else value, selected))
        self._option = None
