"""What staff do in the admin, through its pages: sign in, change an object's form and save it."""


def sign_in(browser, account):
    page = browser.get("/admin/login/?next=/admin/")
    form = page.form(having="password")
    page = browser.submit(form, username=account["username"], password=account["password"])
    assert page.path == "/admin/" and page.status == 200, f"not signed in, at {page.path}: {page.text[:600]}"
    return page


def change(browser, path, **changes):
    """Open an object's change form, send it back whole with `changes`, as a browser would; the page saved to."""
    page = browser.get(path)
    assert page.status == 200, f"{path}: {page.status} {page.text[:600]}"
    form = next((form for form in page.forms if form.attrs.get("id", "").endswith("_form")), None)
    assert form is not None, f"no change form at {path}: {page.text[:600]}"
    missing = [name for name in changes if not form.has(name)]
    assert not missing, f"the form at {path} has no {missing}"
    saved = browser.submit(form, _save="Save", **changes)
    assert "was changed successfully" in saved.text, f"not saved, at {saved.path}: {saved.text[:1500]}"
    return saved
