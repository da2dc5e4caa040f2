"""One reader of the notebook's group serves every route; each snapshot route does one thing."""

import json

import nbformat
import pytest

from primehub_suite_jupyterlab import context


def body(response):
    return json.loads(response.body or b"{}")


async def post(jp_fetch, *path, data):
    return await jp_fetch("primehub-suite", *path, method="POST", body=json.dumps(data), raise_error=False)


async def test_every_route_takes_the_group_from_one_reader(
    jp_fetch, local_server, notebook_env, home, monkeypatch
):
    # The spawner's variables say one group; the one reader says another: every route follows the reader.
    other = notebook_env["root"] / "team_other"
    (other / "exp").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), other / "exp" / "nb.ipynb")
    monkeypatch.delenv("PRIMEHUB_GROUP_VOLUME_PATH")
    monkeypatch.setattr(context, "current_group", lambda: context.Group("id-other", "team_other"))

    config = body(await jp_fetch("primehub-suite", "config"))
    assert config["group"] == {"id": "id-other", "name": "team_other"}
    assert config["groupVolume"] == "team_other"
    await jp_fetch("primehub-suite", "token", method="PUT", body=json.dumps({"token": local_server.token}))
    saved = json.loads((home / ".primehub" / "config.json").read_text())
    assert saved["group"] == {"id": "id-other", "name": "team_other", "displayName": "team_other"}
    made = body(await post(jp_fetch, "snapshot", data={"path": "team_other/exp/nb.ipynb"}))
    assert made["snapshot"].startswith("team_other/exp/.nb-")
    r = await post(jp_fetch, "snapshot", data={"path": f"{notebook_env['group']}/x.ipynb"})
    assert body(r)["code"] == "outside_group_volume"
    assert body(await post(jp_fetch, "snapshot", "jobs", data={"snapshot": made["snapshot"], "jobIds": ["j"]})) == {
        "registered": True
    }


@pytest.mark.parametrize(
    "route, data, message",
    [
        (("snapshot",), {"snapshot": "g/.nb-1.ipynb", "jobIds": ["j"]}, "path is required"),
        (("snapshot", "jobs"), {"path": "g/nb.ipynb"}, "snapshot is required"),
        (("snapshot", "jobs"), {"snapshot": "g/.nb-1.ipynb", "jobIds": []}, "jobIds must be a list of job ids"),
        (("snapshot", "jobs"), {"snapshot": "g/.nb-1.ipynb", "jobIds": [""]}, "jobIds must be a list of job ids"),
    ],
)
async def test_each_snapshot_route_does_one_thing(jp_fetch, notebook_env, route, data, message):
    r = await post(jp_fetch, *route, data=data)
    assert r.code == 400
    assert body(r) == {"message": message, "code": "invalid_request"}
