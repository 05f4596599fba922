from briefer.redact import MASK, redact_text, redact_url, url_secrets


def test_url_credentials_are_dropped() -> None:
    assert redact_url("http://alice:s3cret@host:8080/v1") == "http://host:8080/v1"
    assert "s3cret" not in redact_url("https://h/v1?api_key=s3cret&x=1")
    assert "x=1" in redact_url("https://h/v1?api_key=s3cret&x=1")
    assert redact_url("http://[::1]:9/v1") == "http://[::1]:9/v1"


def test_url_secrets_lists_password_user_and_query_keys() -> None:
    assert set(url_secrets("http://alice:s3cret@h/v1?token=abcd")) == {"alice", "s3cret", "abcd"}
    assert url_secrets(None) == []


def test_text_masks_known_secrets_and_key_shapes() -> None:
    text = (
        "Incorrect API key provided: sk-proj-ABCDEF123456. Called http://bob:pw1234@h/v1 "
        "with Authorization: Bearer abcdef123456 and hunter22"
    )
    out = redact_text(text, ["hunter22"])
    for secret in ("sk-proj-ABCDEF123456", "pw1234", "bob:", "abcdef123456", "hunter22"):
        assert secret not in out
    assert out.count(MASK) >= 3
    assert redact_text("a plain sentence about 2024 skies") == "a plain sentence about 2024 skies"


def test_settings_endpoint_never_shows_credentials() -> None:
    from briefer.settings import Settings

    s = Settings(base_url="http://u:p4ssw0rd@127.0.0.1:8080/v1", api_key="sk-test-123456")
    assert s.endpoint() == "http://127.0.0.1:8080/v1"
    assert set(s.secrets()) == {"sk-test-123456", "u", "p4ssw0rd"}
