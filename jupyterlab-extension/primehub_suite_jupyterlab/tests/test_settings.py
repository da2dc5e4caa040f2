"""The extension's settings are traitlets read from Jupyter's own config files, and its snapshot
sweeper lives exactly as long as the extension."""

import asyncio
import json
import time

import pytest

from primehub_suite_jupyterlab.sweeper import Sweeper

SWEEPER_TASK = "primehub-suite snapshot sweeper"


@pytest.fixture
def files(tmp_path):
    return {"registry": tmp_path / "state" / "registry.json", "tokens": tmp_path / "lab" / "tokens.json"}


@pytest.fixture
def jp_server_config(jp_config_dir, files):
    """The settings in a ``jupyter_server_config.json`` of Jupyter's config folder, as a user writes them."""
    (jp_config_dir / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "PrimeHubSuiteApp": {
                    "sweep_interval": 0.2,
                    "max_upload_bytes": 1000,
                    "snapshot_registry": str(files["registry"]),
                    "token_file": str(files["tokens"]),
                }
            }
        )
    )
    return {"ServerApp": {"jpserver_extensions": {"primehub_suite_jupyterlab": True}}}


def sweeper_tasks():
    return [t for t in asyncio.all_tasks() if t.get_name() == SWEEPER_TASK and not t.done()]


async def test_settings_come_from_jupyter_server_config(extension, files):
    assert extension.sweep_interval == 0.2
    assert extension.sweeper.interval == 0.2
    assert extension.max_upload_bytes == 1000
    assert extension.registry.state_file == str(files["registry"])
    assert extension.tokens.path == str(files["tokens"])


async def test_the_token_file_setting_is_where_the_lab_signs_in_and_out(jp_fetch, extension, local_server, notebook_env, files, home):
    r = await jp_fetch("primehub-suite", "token", method="PUT", body=json.dumps({"token": local_server.token}))
    assert json.loads(r.body)["tokenFile"] == str(files["tokens"])
    assert json.loads(files["tokens"].read_text())["api-token"] == local_server.token
    config = json.loads((await jp_fetch("primehub-suite", "config")).body)
    assert config["tokenSet"] is True and config["tokenFile"] == str(files["tokens"])
    assert not (home / ".primehub" / "config.json").exists()


async def test_an_upload_over_the_limit_is_refused_before_primehub_sees_it(jp_fetch, recorder, files):
    files["tokens"].parent.mkdir(parents=True)
    files["tokens"].write_text(json.dumps({"api-token": "a-token"}))
    r = await jp_fetch(
        "primehub-suite", "proxy", "api", "files", "groups", "g", "big.bin",
        method="POST", body=b"x" * 1001, raise_error=False,
    )
    assert r.code == 413
    assert json.loads(r.body)["code"] == "too_large"
    assert recorder.targets == []
    r = await jp_fetch(
        "primehub-suite", "proxy", "api", "files", "groups", "g", "small.bin", method="POST", body=b"x" * 1000
    )
    assert r.code == 200
    assert recorder.targets == ["/api/files/groups/g/small.bin"]


async def test_the_sweeper_runs_at_the_set_interval_and_is_gone_after_stop(jp_serverapp, extension):
    assert extension.sweeper.running and len(sweeper_tasks()) == 1
    started = time.monotonic()
    while extension.sweeper.rounds < 5:
        assert time.monotonic() - started < 5, "the sweeper does not run every 0.2 s"
        await asyncio.sleep(0.05)
    await jp_serverapp.extension_manager.stop_all_extensions()
    assert not extension.sweeper.running
    assert sweeper_tasks() == []
    rounds = extension.sweeper.rounds
    await asyncio.sleep(0.5)
    assert extension.sweeper.rounds == rounds


def test_stop_cancels_a_round_in_progress():
    async def scenario():
        began = asyncio.Event()
        cancelled = []

        async def slow_round():
            began.set()
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancelled.append(True)
                raise

        sweeper = Sweeper(0.01, slow_round, None)
        sweeper.start()
        sweeper.start()  # a second start changes nothing
        await asyncio.wait_for(began.wait(), 5)
        assert len(sweeper_tasks()) == 1
        await sweeper.stop()
        assert cancelled == [True]
        assert sweeper_tasks() == [] and not sweeper.running
        await sweeper.stop()  # stopping twice is harmless

    asyncio.run(scenario())


def test_a_failing_round_is_logged_and_the_next_one_runs():
    failures = []

    class Log:
        def exception(self, message, *args):
            failures.append(message % args)

    async def scenario():
        calls = []

        async def flaky():
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("PrimeHub said no")

        sweeper = Sweeper(0.01, flaky, Log())
        sweeper.start()
        while len(calls) < 2:
            await asyncio.sleep(0.01)
        await sweeper.stop()

    asyncio.run(scenario())
    assert failures == ["primehub_suite_jupyterlab: snapshot sweep failed"]


@pytest.mark.parametrize("setting", [{"sweep_interval": 0}, {"max_upload_bytes": -1}])
def test_a_setting_out_of_range_is_refused(setting):
    from traitlets import TraitError

    from primehub_suite_jupyterlab.app import PrimeHubSuiteApp

    with pytest.raises(TraitError):
        PrimeHubSuiteApp(**setting)


async def test_signing_out_forgets_the_token_in_the_token_file_only(jp_fetch, extension, local_server, notebook_env, files, home):
    sdk = home / ".primehub" / "config.json"
    sdk.parent.mkdir(exist_ok=True)
    sdk.write_text(json.dumps({"endpoint": "https://cluster.example/api/graphql", "api-token": "sdk-token"}))
    server_config = (local_server.data_dir / "config.json").read_text()
    await jp_fetch("primehub-suite", "token", method="PUT", body=json.dumps({"token": local_server.token}))
    r = await jp_fetch("primehub-suite", "token", method="DELETE")
    assert json.loads(r.body) == {"tokenSet": False, "tokenFile": str(files["tokens"])}
    assert "api-token" not in json.loads(files["tokens"].read_text())
    assert json.loads(sdk.read_text())["api-token"] == "sdk-token"
    assert (local_server.data_dir / "config.json").read_text() == server_config
