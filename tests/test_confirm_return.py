"""After re-entering the password for a POST-only action, the user lands on the page holding the
button (never a 405 page)."""
from datetime import timedelta

import pytest

from domain.core.db import db, utcnow
from domain.core.models import UserSession
from tests.conftest import PASSWORD, csrf_from


@pytest.mark.parametrize("action, page", [("/settings/data/export.json", "/settings/data/"),
                                          ("/settings/two-factor/disable", "/settings/two-factor/")])
def test_confirm_returns_to_the_page_with_the_button(app, client, user, action, page):
    with app.app_context():
        for row in db.session.query(UserSession):
            row.fresh_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    token = csrf_from(client.get("/settings/data/").get_data(as_text=True))
    r = client.post(action, data={"csrf_token": token})
    assert r.status_code == 302 and "/confirm" in r.headers["Location"]
    form = client.get(r.headers["Location"]).get_data(as_text=True)
    r = client.post(r.headers["Location"], data={"csrf_token": csrf_from(form), "password": PASSWORD})
    assert r.status_code == 302
    landing = client.get(r.headers["Location"], follow_redirects=True)
    assert landing.status_code == 200
    assert landing.request.path == page
