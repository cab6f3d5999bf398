"""An index URL's password never shows, whatever it holds and however the URL is spelled."""

from __future__ import annotations

import pytest

from fwprobe.index import redact, scrub
from fwprobe.index.redact import secrets_of

HOST = "host.example.invalid"


@pytest.mark.parametrize("url, shown", [
    # a password holding a literal '@' (pip and requests split the user-info at the last '@')
    (f"https://user:p@ss@{HOST}/simple/", f"https://***@{HOST}/simple/"),
    (f"https://tok@en@{HOST}/simple/", f"https://***@{HOST}/simple/"),
    # a URL urlsplit refuses (a broken IPv6 literal): the fallback must hide as much
    ("https://user:p@ss@[::1/simple/", "https://***@[::1/simple/"),
    ("https://user:s3cret@[::1/simple/", "https://***@[::1/simple/"),
])
def test_a_password_with_an_at_sign_never_shows_any_part(url: str, shown: str) -> None:
    assert redact(url) == shown
    message = f"GET {url} answered 401; check the password in {url}"
    scrubbed = scrub(message, url)
    assert "ss@" not in scrubbed and "s3cret" not in scrubbed and "en@" not in scrubbed
    assert scrubbed == f"GET {shown} answered 401; check the password in {shown}"


def test_the_password_alone_in_a_message_is_hidden_in_each_spelling() -> None:
    url = f"https://user:p@ss@{HOST}/simple/"
    assert set(secrets_of(url)) == {"p@ss", "p%40ss"}
    assert scrub("auth failed for p@ss (p%40ss)", url) == "auth failed for *** (***)"


@pytest.mark.parametrize("scheme", ["HTTPS", "Https", "HTTP"])
def test_an_upper_case_scheme_hides_the_password_too(scheme: str) -> None:
    url = f"{scheme}://user:s3cret@{HOST}/simple/"
    assert secrets_of(url) == ("s3cret",)
    assert "s3cret" not in redact(url) and redact(url).endswith(f"://***@{HOST}/simple/")
    assert scrub(f"{url} refused s3cret", url) == f"{redact(url)} refused ***"


def test_an_upper_case_scheme_with_a_token_as_user_name() -> None:
    url = f"HTTPS://t0ken@{HOST}/simple/"
    assert secrets_of(url) == ("t0ken",)
    assert scrub(f"401 for t0ken at {url}", url) == f"401 for *** at {redact(url)}"


@pytest.mark.parametrize("url", [f"https://{HOST}/simple/", "not a url at all", f"{HOST}/user@x"])
def test_a_url_without_credentials_is_left_as_it_is(url: str) -> None:
    assert redact(url) == url
    assert secrets_of(url) == ()
    assert scrub(f"see {url} and user@x", url) == f"see {url} and user@x"


def test_an_empty_password_is_no_secret_and_alters_no_text() -> None:
    url = f"https://user:@{HOST}/simple/"
    assert secrets_of(url) == ()
    assert redact(url) == f"https://***@{HOST}/simple/"
    assert scrub("user names stay: user", url) == "user names stay: user"


def test_the_fallback_leaves_the_path_alone() -> None:
    # urlsplit refuses the broken IPv6 host; a '//...@' later in the path is not user-info
    url = "https://user:s3cret@[::1/simple//mirror@2/"
    assert redact(url) == "https://***@[::1/simple//mirror@2/"
