def test_signup_login_logout(auth, client):
    code = auth.signup()
    assert len(code) == 39
    r = client.get("/")
    assert "Hello, Tess Therapist" in r.get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert "Create an account" in client.get("/").get_data(as_text=True)
    r = auth.login()
    assert r.status_code == 302
    assert "Hello, Tess Therapist" in client.get("/").get_data(as_text=True)
