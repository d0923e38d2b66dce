"""Chinese and English in the portal: the browser's language and the switch."""

import pytest

pytestmark = pytest.mark.django_db


def test_english_is_the_default(client):
    response = client.get("/")

    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "File a complaint or claim" in response.text


def test_a_chinese_browser_gets_the_chinese_portal(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")

    assert '<html lang="zh-hans">' in response.text
    assert "提交投诉或索赔" in response.text
    assert "File a complaint or claim" not in response.text


def test_every_page_has_the_language_switch(client):
    for path in ["/", "/complaint/", "/track/", "/console/login/"]:
        response = client.get(path)

        assert 'action="/i18n/setlang/"' in response.text, path
        assert 'value="zh-hans"' in response.text, path


def test_the_switch_sets_the_language_for_the_next_pages(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/track/"})

    assert response.status_code == 302
    assert response["Location"] == "/track/"
    assert "查询案件" in client.get("/track/").text


def test_field_errors_are_in_chinese_too(client):
    response = client.post(
        "/complaint/",
        {"kind": "complaint", "description": "行李没到", "email": "bad@"},
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["请输入有效的电子邮件地址。"]
